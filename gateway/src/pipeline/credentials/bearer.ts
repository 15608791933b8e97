// The one credential the gateway accepts: a single `Authorization: Bearer <token>` header
// (RFC 6750 §2.1), whose token has the shape of a compact JWS.
//
// Read from Node's `req.rawHeaders`, not `req.headers`: Node keeps only the first of duplicate
// `Authorization` headers there, and a second one is exactly what must be refused.
//
// Decisions (docs/contract.md "Tokens"):
// - no Authorization header, or one with another scheme (Basic, Digest, …) → missing_token;
//   an `access_token` query parameter never counts as a credential, so alone it is missing_token;
// - two Authorization headers (even identical), two credentials in one (`Bearer a, Bearer b`,
//   `Bearer a b`), or an Authorization header of any scheme plus an `access_token` query
//   parameter in any spelling a server could read as that name (access-token-param.ts)
//   → multiple_credentials;
// - `Bearer` with no token, a token that is not three non-empty base64url parts, a token longer
//   than 16 KiB, or anything but spaces between scheme and token → invalid_token.
// The scheme is case-insensitive (RFC 9110 §11.1). Whitespace around the value is optional
// whitespace (RFC 9110 §5.5) and ignored; one or more spaces may separate scheme and token
// (RFC 9110 §11.4 says exactly one, but accepting more is harmless and what servers do).

import { deny, type Denial } from '../../errors/reasons.js';
import { hasAccessTokenParam } from './access-token-param.js';

export { hasAccessTokenParam };

export type ExtractedBearer = { readonly ok: true; readonly token: string } | Denial;

/** Longest token accepted, in bytes; Better Auth's tokens are well under 2 KiB. */
export const MAX_TOKEN_BYTES = 16 * 1024;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const DOT = 0x2e;

const MISSING = deny('missing_token');
const TWO_HEADERS = deny('multiple_credentials', 'More than one Authorization header was sent.');
const HEADER_AND_QUERY = deny('multiple_credentials', 'An access_token query parameter was sent with an Authorization header.');
const TWO_IN_ONE = deny('multiple_credentials', 'The Authorization header holds more than one credential.');
const EMPTY_TOKEN = deny('invalid_token', 'The Bearer token is empty');
const BAD_SEPARATOR = deny('invalid_token', 'The Bearer scheme must be followed by a space');
const TOO_LONG = deny('invalid_token', 'The Bearer token is too long');
const NOT_JWS = deny('invalid_token', 'The Bearer token is not a compact JWS');

/** The same shape as isCompactJws, as a regular expression: V8 runs it as native code, ~5× faster than the loop. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const AUTHORIZATION = 'authorization';
const BEARER = 'bearer';

/** `name` equals `lower` (all lower-case ASCII letters / `_`) ignoring ASCII case, without allocating. */
function equalsIgnoringCase(name: string, from: number, to: number, lower: string): boolean {
  if (to - from !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = name.charCodeAt(from + i);
    const t = lower.charCodeAt(i);
    // For a lower-case letter t, (c | 0x20) === t holds only for t and its upper-case form.
    if (c !== t && (c | 0x20) !== t) return false;
  }
  return true;
}

/** RFC 9110 tchar: the characters of an auth-scheme. */
function isTchar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  // ! # $ % & ' * + - . ^ _ ` | ~
  return c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e;
}

function isBase64Url(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;
}

/** A compact JWS: exactly three non-empty base64url parts (so also a valid RFC 6750 b64token). */
function isCompactJws(value: string, from: number, to: number): boolean {
  let dots = 0;
  let partLength = 0;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (c === DOT) {
      if (partLength === 0 || ++dots > 2) return false;
      partLength = 0;
    } else if (isBase64Url(c)) {
      partLength++;
    } else {
      return false;
    }
  }
  return dots === 2 && partLength > 0;
}

function parseAuthorization(value: string): ExtractedBearer {
  let from = 0;
  let to = value.length;
  while (from < to && (value.charCodeAt(from) === SP || value.charCodeAt(from) === HTAB)) from++;
  while (to > from && (value.charCodeAt(to - 1) === SP || value.charCodeAt(to - 1) === HTAB)) to--;

  let schemeEnd = from;
  while (schemeEnd < to && isTchar(value.charCodeAt(schemeEnd))) schemeEnd++;
  if (!equalsIgnoringCase(value, from, schemeEnd, BEARER)) return MISSING;
  if (schemeEnd === to) return EMPTY_TOKEN;
  if (value.charCodeAt(schemeEnd) !== SP) return BAD_SEPARATOR;

  let tokenStart = schemeEnd + 1;
  while (tokenStart < to && value.charCodeAt(tokenStart) === SP) tokenStart++;
  // The usual case in one native pass: a well-formed token (which has no space, tab or comma).
  // Anything else takes the scans below, which tell which refusal applies.
  const token = value.slice(tokenStart, to);
  if (to - tokenStart <= MAX_TOKEN_BYTES && COMPACT_JWS.test(token)) return { ok: true, token };
  for (let i = tokenStart; i < to; i++) {
    const c = value.charCodeAt(i);
    if (c === SP || c === HTAB || c === COMMA) return TWO_IN_ONE;
  }
  if (to - tokenStart > MAX_TOKEN_BYTES) return TOO_LONG;
  if (!isCompactJws(value, tokenStart, to)) return NOT_JWS;
  return { ok: true, token };
}

/** The Bearer token of a request, or why there is none to verify. */
export function extractBearer(rawHeaders: readonly string[], query: string): ExtractedBearer {
  let count = 0;
  let value = '';
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (equalsIgnoringCase(name, 0, name.length, AUTHORIZATION)) {
      count++;
      value = rawHeaders[i + 1]!;
    }
  }
  if (count === 0) return MISSING;
  if (count > 1) return TWO_HEADERS;
  if (query.length > 0 && hasAccessTokenParam(query)) return HEADER_AND_QUERY;
  return parseAuthorization(value);
}
