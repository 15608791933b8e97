// The `cors` section, read by the stage that applies it (the origin rule lives in origin.ts).
import { indexPath, type Problems } from '../../config/problems.js';
import { optional, readDuration, readList, readSection, readString, type Mapping, type Reader } from '../../config/read.js';
import type { CorsConfig } from '../../config/types.js';
import { normaliseOrigin } from './origin.js';

const readOrigin: Reader<string> = (value, path, p) => {
  const text = readString()(value, path, p);
  if (text === undefined) return undefined;
  const checked = normaliseOrigin(text);
  if (!checked.ok) {
    p.add(path, checked.problem);
    return undefined;
  }
  return checked.origin;
};

const readOrigins: Reader<string[]> = (value, path, p) => {
  const origins = readList(readOrigin, { example: '[https://app.example.com]' })(value, path, p);
  if (origins === undefined) return undefined;
  const dup = origins.findIndex((o, i) => origins.indexOf(o) !== i);
  if (dup >= 0) {
    p.add(indexPath(path, dup), `${origins[dup]} is listed twice`);
    return undefined;
  }
  return origins;
};

export const CORS_DEFAULTS = { origins: [] as string[], maxAgeSeconds: 600 };

const readMaxAge: Reader<number> = (value, path, p) => {
  const ms = readDuration(0)(value, path, p);
  if (ms === undefined) return undefined;
  if (ms % 1000 !== 0) {
    p.add(path, 'must be a whole number of seconds (Access-Control-Max-Age is in seconds)');
    return undefined;
  }
  return ms / 1000;
};

export function readCors(root: Mapping, p: Problems): CorsConfig | undefined {
  const raw = readSection(root, 'cors', '', p, ['origins', 'max_age']);
  if (!raw) return undefined;
  const origins = optional(raw, 'origins', 'cors', p, readOrigins, CORS_DEFAULTS.origins);
  const maxAgeSeconds = optional(raw, 'max_age', 'cors', p, readMaxAge, CORS_DEFAULTS.maxAgeSeconds);
  return origins === undefined || maxAgeSeconds === undefined ? undefined : { origins, maxAgeSeconds };
}

