import type { Identity } from '../pipeline/authn/index.js';

const MAX_VALUE_BYTES = 1024;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Identity headers from verified claims. A claim that is not a string or finite number,
 * holds a byte outside printable ASCII (CR/LF above all), or is too long is left out:
 * a missing header is safe, a smuggled one is not.
 */
export function identityHeaderValues(mapping: ReadonlyArray<readonly [string, string]>, identity: Identity): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const [header, claim] of mapping) {
    const value = identity.claims[claim];
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else continue;
    if (text.length > MAX_VALUE_BYTES || !PRINTABLE_ASCII.test(text)) continue;
    out.push([header, text]);
  }
  return out;
}
