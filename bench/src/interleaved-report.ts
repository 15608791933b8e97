// The interleaved run's figures: per round, each target's p50, what it adds to direct, and the
// gateway's added latency over the floor's and nginx's from that same round; over the rounds,
// the median of those per-round ratios (a ratio of medians could pair two different rounds).
import type { InterleavedSummary } from './interleaved.js';
import { median } from './stats.js';

export interface InterleavedRound {
  readonly summaries: Readonly<Record<string, InterleavedSummary>>;
  /** CPU µs per request sent, per proxy (absent for direct). */
  readonly cpuUs: Readonly<Record<string, number>>;
}

/** p50 added to direct's p50 of the same round, µs. */
export function addedUs(round: InterleavedRound, target: string): number {
  const of = round.summaries[target]?.latencyUs.p50;
  const direct = round.summaries['direct']?.latencyUs.p50;
  return of === undefined || direct === undefined ? Number.NaN : of - direct;
}

/** The gateway's p50 added over `reference`'s, in one round (NaN when either is missing or the reference adds nothing). */
export function addedRatio(round: InterleavedRound, target: string, reference: string): number {
  const ref = addedUs(round, reference);
  return ref > 0 ? addedUs(round, target) / ref : Number.NaN;
}

export function renderInterleaved(rounds: readonly InterleavedRound[], targets: readonly string[], heading: string): string {
  const proxies = targets.filter((t) => t !== 'direct');
  const lines = [heading, '', `| round | ${targets.map((t) => `${t} p50 µs`).join(' | ')} | ${proxies.map((t) => `${t} added`).join(' | ')} | gateway ÷ floor | gateway ÷ nginx | ${proxies.map((t) => `${t} CPU µs`).join(' | ')} |`];
  lines.push(`| ---: | ${[...targets, ...proxies, 'r', 'r', ...proxies].map(() => '---:').join(' | ')} |`);
  const cell = (v: number, digits = 0, suffix = '') => (Number.isFinite(v) ? `${v.toFixed(digits)}${suffix}` : '–');
  rounds.forEach((round, i) => {
    const p50s = targets.map((t) => cell(round.summaries[t]?.latencyUs.p50 ?? Number.NaN));
    const added = proxies.map((t) => cell(addedUs(round, t), 0).replace(/^(\d)/, '+$1'));
    const cpu = proxies.map((t) => cell(round.cpuUs[t] ?? Number.NaN, 1));
    lines.push(`| ${i + 1} | ${p50s.join(' | ')} | ${added.join(' | ')} | ${cell(addedRatio(round, 'gateway', 'floor'), 3, '×')} | ${cell(addedRatio(round, 'gateway', 'nginx'), 3, '×')} | ${cpu.join(' | ')} |`);
  });
  const med = (f: (r: InterleavedRound) => number) => median(rounds.map(f));
  lines.push('', `Median over ${rounds.length} round(s) of the per-round figures: gateway p50 added ${cell(med((r) => addedUs(r, 'gateway')))} µs against the floor's ${cell(med((r) => addedUs(r, 'floor')))} µs and nginx's ${cell(med((r) => addedUs(r, 'nginx')))} µs; gateway ÷ floor **${cell(med((r) => addedRatio(r, 'gateway', 'floor')), 3, '×')}** (target ≤ 1.3×), gateway ÷ nginx ${cell(med((r) => addedRatio(r, 'gateway', 'nginx')), 3, '×')}.`);
  const failed = rounds.flatMap((r) => Object.entries(r.summaries).filter(([, s]) => s.failed > 0).map(([t, s]) => `${t} ${s.failed}`));
  if (failed.length) lines.push('', `Answers outside 2xx (the figures are suspect): ${failed.join(', ')}.`);
  return lines.join('\n');
}
