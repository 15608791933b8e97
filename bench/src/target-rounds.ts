// The targets round by round. A verdict is on the medians of the rounds; on a machine whose
// speed moves between rounds, what each round alone would have said shows how far one run can
// be trusted: a ratio that reads 1.2× in one round and 2.1× in the next decides nothing. The
// median of the rounds' own ratios pairs each path with the others of its round; the verdict's
// ratio of medians may take its numerator and denominator from different rounds.
import { evaluateTargets } from './budget.js';
import type { Measurement, TargetCheck, TargetRounds } from './results.js';
import { spread } from './stats.js';
import { summarise } from './summary.js';

/** evaluateTargets over the whole run, each check with its round-by-round range. */
export function evaluateTargetsByRound(measurements: readonly Measurement[]): TargetCheck[] {
  const overall = evaluateTargets(summarise(measurements));
  const rounds = [...new Set(measurements.map((m) => m.round))].sort((a, b) => a - b);
  const perRound = rounds.map((r) => evaluateTargets(summarise(measurements.filter((m) => m.round === r))));
  return overall.map((check, i) => ({ ...check, rounds: rangeOf(perRound.map((checks) => checks[i]!)) }));
}

function rangeOf(checks: readonly TargetCheck[]): TargetRounds | null {
  const measured = checks.filter((c) => c.measured !== null);
  if (measured.length === 0) return null;
  const { median, min, max } = spread(measured.map((c) => c.measured!));
  return { median, min, max, met: measured.filter((c) => c.met).length, of: measured.length };
}
