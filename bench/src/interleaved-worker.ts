// Child process the bench pins to the load generator's core for the interleaved run:
// argv = plan.json durationSec name=url…; prints one JSON line, a summary per target.
import { readFileSync } from 'node:fs';
import { runInterleaved } from './interleaved.js';
import type { PlannedRequest } from './mix.js';

const [planFile, duration, ...specs] = process.argv.slice(2);
if (!planFile || !duration || specs.length === 0) {
  process.stderr.write('usage: interleaved-worker <plan.json> <durationSec> <name=url>...\n');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlannedRequest[];
const targets = specs.map((spec) => {
  const at = spec.indexOf('=');
  return { name: spec.slice(0, at), url: spec.slice(at + 1) };
});
const summaries = await runInterleaved(targets, plan, { durationSec: Number(duration) });
process.stdout.write(`${JSON.stringify(Object.fromEntries(summaries))}\n`);
