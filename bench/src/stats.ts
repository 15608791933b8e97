// Small, exact statistics over a handful of rounds. A benchmark reports the median of its
// rounds (robust against one noisy round) with the min–max spread so a reader sees the noise.

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many rounds the spread is over. */
  readonly n: number;
}

/** Median of finite numbers; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  const sorted = finiteSorted(values);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  const sorted = finiteSorted(values);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  return { median: median(sorted), min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** a / b, or NaN when either side is missing or b is zero: a ratio we cannot state is not 0 or ∞. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}

function finiteSorted(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
}
