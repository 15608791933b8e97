// Reads Prometheus text exposition (what /metrics serves) into samples, so a test can ask
// "by how much did this series move" without caring about line order or HELP/TYPE lines.
import { eventually } from './eventually.js';

export interface Sample {
  /** The series name as exposed, e.g. gateway_request_duration_seconds_count. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The sum of every sample of `name` whose labels include `labels` (0 when there is none):
 * a counter's value, or a histogram's `_count`/`_sum` across the series that match.
 */
export function sampleValue(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) total += sample.value;
  }
  return total;
}

/** Fetches and parses a gateway's /metrics from its admin URL. */
export async function scrape(adminUrl: string): Promise<Sample[]> {
  const res = await fetch(`${adminUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** One series' value on a gateway's admin port right now (0 before it first moves). */
export async function metricValue(adminUrl: string, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  return sampleValue(await scrape(adminUrl), name, labels);
}

/**
 * Waits (with a deadline) until the series reads `value`: an outcome is observed once the
 * server side of an answer is done, which can be a moment after the client holds it.
 */
export async function metricReaches(adminUrl: string, name: string, labels: Readonly<Record<string, string>>, value: number): Promise<number> {
  return eventually(() => metricValue(adminUrl, name, labels), (current) => current === value);
}
