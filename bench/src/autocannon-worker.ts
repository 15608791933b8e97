// Child process the bench pins to the load generator's cores when wrk is not installed:
// argv = plan.json url connections durationSec; prints one JSON LoadResult line.
import { readFileSync } from 'node:fs';
import { runAutocannonMix } from './autocannon-mix.js';
import type { PlannedRequest } from './mix.js';

const [planFile, url, connections, duration] = process.argv.slice(2);
if (!planFile || !url || !connections || !duration) {
  process.stderr.write('usage: autocannon-worker <plan.json> <url> <connections> <durationSec>\n');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlannedRequest[];
const result = await runAutocannonMix({ url, plan, connections: Number(connections), durationSec: Number(duration) });
const { statuses: _statuses, createdIds: _ids, ...load } = result;
process.stdout.write(`${JSON.stringify(load)}\n`);
