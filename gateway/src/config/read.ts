// Small readers for YAML values: each checks one value at one key path, records a problem
// when it is wrong, and returns the normalized value (or undefined after a problem).
// Strings are coerced to numbers/booleans strictly, because `port: ${PORT:-8080}` is a string
// after substitution: "8080" is a port, "80a" is a problem.
import { tryParseDuration, tryParseSize } from './duration.js';
import { indexPath, keyPath, kindOf, show, type Problems } from './problems.js';
import { UNRESOLVED } from './substitute.js';

export type Reader<T> = (value: unknown, path: string, p: Problems) => T | undefined;
export type Mapping = Readonly<Record<string, unknown>>;

const EMPTY: Mapping = Object.freeze(Object.create(null) as Record<string, unknown>);

/** True when the value cannot be read further; reports nothing for an already-reported ${...}. */
function unusable(value: unknown, path: string, p: Problems): boolean {
  if (value === UNRESOLVED) return true;
  if (value === null || value === undefined) {
    p.add(path, 'has no value (a bare "key:" in YAML is null); give it one, or remove the key to use its default');
    return true;
  }
  return false;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** "jwksUrl", "jwks-url" or "jwks_uri" → "jwks_url": a hint for the commonest typos. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  const squash = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  const same = allowed.find((a) => squash(a) === squash(key));
  if (same) return same;
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a);
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best;
}

/** A mapping with only the allowed keys; every unknown key is a problem at its own path. */
export function readMapping(value: unknown, path: string, p: Problems, allowed: readonly string[]): Mapping | undefined {
  if (unusable(value, path, p)) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    p.add(path, `must be a mapping (key: value), got ${kindOf(value)}`);
    return undefined;
  }
  const known: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value as object)) {
    if (allowed.includes(k)) {
      known[k] = v;
      continue;
    }
    const hint = closest(k, allowed);
    p.add(keyPath(path, k), `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed here: ${allowed.join(', ')}`);
  }
  return known;
}

/** An optional section: absent → an empty mapping, so every key inside takes its default. */
export function readSection(parent: Mapping, key: string, path: string, p: Problems, allowed: readonly string[]): Mapping | undefined {
  if (!Object.hasOwn(parent, key)) return EMPTY;
  return readMapping(parent[key], keyPath(path, key), p, allowed);
}

/** An optional key: absent → the default; present → read (and checked) like any other. */
export function optional<T>(parent: Mapping, key: string, path: string, p: Problems, read: Reader<T>, fallback: T): T | undefined {
  if (!Object.hasOwn(parent, key)) return fallback;
  return read(parent[key], keyPath(path, key), p);
}

/** An optional key without a default. Distinguishes "absent" from "present but wrong". */
export function maybe<T>(parent: Mapping, key: string, path: string, p: Problems, read: Reader<T>): { present: boolean; value: T | undefined } {
  if (!Object.hasOwn(parent, key)) return { present: false, value: undefined };
  return { present: true, value: read(parent[key], keyPath(path, key), p) };
}

export function required<T>(parent: Mapping, key: string, path: string, p: Problems, read: Reader<T>): T | undefined {
  if (!Object.hasOwn(parent, key)) {
    p.add(keyPath(path, key), 'is required');
    return undefined;
  }
  return read(parent[key], keyPath(path, key), p);
}

export function readString(options: { allowEmpty?: boolean } = {}): Reader<string> {
  return (value, path, p) => {
    if (unusable(value, path, p)) return undefined;
    if (typeof value !== 'string') {
      p.add(path, `must be a string, got ${kindOf(value)}${typeof value === 'number' || typeof value === 'boolean' ? ' (quote it)' : ''}`);
      return undefined;
    }
    if (value === '' && !options.allowEmpty) {
      p.add(path, 'must not be empty');
      return undefined;
    }
    return value;
  };
}

const DIGITS = /^(0|[1-9][0-9]*)$/;

export function readInt(min: number, max: number): Reader<number> {
  return (value, path, p) => {
    if (unusable(value, path, p)) return undefined;
    let n: number | undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value)) n = value;
    else if (typeof value === 'string' && DIGITS.test(value)) n = Number(value);
    if (n === undefined || n < min || n > max) {
      p.add(path, `must be an integer from ${min} to ${max}, got ${kindOf(value)}`);
      return undefined;
    }
    return n;
  };
}

export const readBool: Reader<boolean> = (value, path, p) => {
  if (unusable(value, path, p)) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  p.add(path, `must be true or false, got ${kindOf(value)}`);
  return undefined;
};

export function readEnum<T extends string>(choices: readonly T[]): Reader<T> {
  return (value, path, p) => {
    if (unusable(value, path, p)) return undefined;
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    p.add(path, `must be one of ${choices.join(', ')}, got ${kindOf(value)}`);
    return undefined;
  };
}

function scaled(parse: typeof tryParseDuration, unitText: string, min: number): Reader<number> {
  return (value, path, p) => {
    if (unusable(value, path, p)) return undefined;
    const parsed = parse(value);
    if (!parsed.ok) {
      p.add(path, parsed.message);
      return undefined;
    }
    if (parsed.value < min) {
      p.add(path, `must be at least ${min} ${min === 1 && unitText === 'bytes' ? 'byte' : unitText}, got ${show(value)}`);
      return undefined;
    }
    return parsed.value;
  };
}

/** A duration in milliseconds, at least `minMs`. */
export function readDuration(minMs: number): Reader<number> {
  return scaled(tryParseDuration, 'ms', minMs);
}

/** A size in bytes, at least `minBytes`. */
export function readSize(minBytes: number): Reader<number> {
  return scaled(tryParseSize, 'bytes', minBytes);
}

/** A list whose every item is read; undefined when the list or any item is wrong. */
export function readList<T>(item: Reader<T>, options: { nonEmpty?: boolean; example?: string } = {}): Reader<T[]> {
  return (value, path, p) => {
    if (unusable(value, path, p)) return undefined;
    if (!Array.isArray(value)) {
      p.add(path, `must be a list${options.example ? ` like ${options.example}` : ''}, got ${kindOf(value)}`);
      return undefined;
    }
    if (options.nonEmpty && value.length === 0) {
      p.add(path, `must not be an empty list${options.example ? `; for example ${options.example}` : ''}`);
      return undefined;
    }
    const out: T[] = [];
    let ok = true;
    value.forEach((v, i) => {
      const r = item(v, indexPath(path, i), p);
      if (r === undefined) ok = false;
      else out.push(r);
    });
    return ok ? out : undefined;
  };
}
