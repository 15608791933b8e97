// Durations ("500ms", "10s", "1.5m") and sizes ("64kb", "1mb") as written in the config.
// Decimals are allowed when the result is a whole number of milliseconds or bytes
// ("1.5s" = 1500 ms, "0.5kb" = 512 bytes, "0.5ms" is refused). A bare integer means
// milliseconds or bytes. Arithmetic is exact (BigInt), so "1.1s" is 1100, not 1100.0000000000002.

export type Parsed = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/** Node's timers overflow above 2^31-1 ms (and then fire after 1 ms), so no duration may exceed it. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const DURATION_UNITS: Readonly<Record<string, bigint>> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n };
const SIZE_UNITS: Readonly<Record<string, bigint>> = { b: 1n, kb: 1024n, mb: 1024n ** 2n, gb: 1024n ** 3n };

const NUMBER_WITH_UNIT = /^(\d+)(?:\.(\d+))?[ ]?([A-Za-z]*)$/;

const DURATION_HINT = 'a duration like 500ms, 10s, 5m, 1h or 1d (a bare integer is milliseconds)';
const SIZE_HINT = 'a size like 512kb or 1mb (powers of 1024; a bare integer is bytes)';

interface Scale {
  readonly units: Readonly<Record<string, bigint>>;
  readonly unitOf: (written: string) => string;
  readonly hint: string;
  readonly noun: string;
  readonly max: number;
  readonly maxText: string;
}

const DURATION: Scale = {
  units: DURATION_UNITS,
  unitOf: (u) => u, // case matters: "M" is not minutes, and we do not guess
  hint: DURATION_HINT,
  noun: 'milliseconds',
  max: MAX_DURATION_MS,
  maxText: `${MAX_DURATION_MS} ms (about 24 days, the longest timer Node.js can set)`,
};

const SIZE: Scale = {
  units: SIZE_UNITS,
  unitOf: (u) => u.toLowerCase(), // "1MB" and "1mb" mean the same
  hint: SIZE_HINT,
  noun: 'bytes',
  max: Number.MAX_SAFE_INTEGER,
  maxText: `${Number.MAX_SAFE_INTEGER} bytes`,
};

function fail(message: string): Parsed {
  return { ok: false, message };
}

function parseScaled(value: unknown, scale: Scale): Parsed {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return fail(`must be ${scale.hint}; got ${value}`);
    if (value > scale.max) return fail(`must be at most ${scale.maxText}`);
    return { ok: true, value };
  }
  if (typeof value !== 'string') return fail(`must be ${scale.hint}`);
  const m = NUMBER_WITH_UNIT.exec(value);
  if (!m) return fail(`must be ${scale.hint}; got ${JSON.stringify(value)}`);
  const [, whole = '', fraction = '', writtenUnit = ''] = m;
  if (writtenUnit === '' && fraction !== '') {
    return fail(`a bare number is ${scale.noun} and must be a whole number; add a unit (${scale.hint})`);
  }
  const unit = writtenUnit === '' ? '' : scale.unitOf(writtenUnit);
  const multiplier = unit === '' ? 1n : scale.units[unit];
  if (multiplier === undefined) {
    return fail(`unknown unit ${JSON.stringify(writtenUnit)}; must be ${scale.hint}`);
  }
  const scaled = BigInt(whole + fraction) * multiplier;
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) return fail(`${JSON.stringify(value)} is not a whole number of ${scale.noun}`);
  const result = scaled / divisor;
  if (result > BigInt(scale.max)) return fail(`must be at most ${scale.maxText}`);
  return { ok: true, value: Number(result) };
}

export function tryParseDuration(value: unknown): Parsed {
  return parseScaled(value, DURATION);
}

export function tryParseSize(value: unknown): Parsed {
  return parseScaled(value, SIZE);
}

function orThrow(parsed: Parsed): number {
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.value;
}

/** "10s" → 10000. Throws RangeError with a readable message on anything else. */
export function parseDuration(value: string | number): number {
  return orThrow(tryParseDuration(value));
}

/** "1mb" → 1048576. Throws RangeError with a readable message on anything else. */
export function parseSize(value: string | number): number {
  return orThrow(tryParseSize(value));
}
