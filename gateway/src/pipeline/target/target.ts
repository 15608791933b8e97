// The request target as the gateway authorizes it: the raw path (forwarded byte for byte),
// the raw query (forwarded byte for byte) and the path's segments decoded exactly once.
//
// Anything a server behind us could read as a different path is refused here, before routing:
// dot segments (raw or encoded), encoded `/` or `\`, raw `\`, empty segments, `;` parameters,
// malformed percent-encoding, decoded bytes that are not UTF-8 or are control characters,
// fragments, non-origin-form targets, raw bytes outside visible ASCII, and overlong paths.
// What is left is a path every RFC 3986 server splits and decodes the same way we do.
//
// One pass over the characters, no regular expressions; segments without `%` are plain slices.

import { deny, type Denial } from '../../errors/reasons.js';

export interface RequestTarget {
  /** The raw path exactly as received (no query), to forward unchanged. */
  readonly path: string;
  /** The raw query including its leading `?`, or `''` when there is none; never decoded. */
  readonly query: string;
  /**
   * The path's segments, each percent-decoded exactly once. `/` is `[]`; a trailing slash
   * leaves a final `''` (`/a/` is `['a', '']`), so it is a different path that only a
   * template with a trailing slash matches.
   */
  readonly segments: readonly string[];
}

export type ParsedTarget = { readonly ok: true; readonly target: RequestTarget } | Denial;

/** Longest raw path accepted, in bytes (the path is ASCII, so characters are bytes). */
export const MAX_PATH_BYTES = 2048;
/** Most segments accepted in a path. */
export const MAX_SEGMENTS = 64;

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const SEMICOLON = 0x3b;
const HASH = 0x23;
const DOT = 0x2e;

// Denials are built once: refusing must not cost more than accepting.
const NOT_ORIGIN_FORM = deny('ambiguous_path', 'The request target must start with "/".');
const FRAGMENT = deny('ambiguous_path', 'The request target contains a fragment ("#").');
const TOO_LONG = deny('ambiguous_path', `The path is longer than ${MAX_PATH_BYTES} bytes.`);
const TOO_MANY_SEGMENTS = deny('ambiguous_path', `The path has more than ${MAX_SEGMENTS} segments.`);
const EMPTY_SEGMENT = deny('ambiguous_path', 'The path contains an empty segment ("//").');
const DOT_SEGMENT = deny('ambiguous_path', 'The path contains a "." or ".." segment.');
const BACKSLASH_RAW = deny('ambiguous_path', 'The path contains "\\".');
const MATRIX_PARAM = deny('ambiguous_path', 'The path contains ";".');
const BAD_BYTE = deny('ambiguous_path', 'The path contains a byte outside visible ASCII.');
const BAD_QUERY_BYTE = deny('ambiguous_path', 'The query contains a byte outside visible ASCII.');
const BAD_PERCENT = deny('ambiguous_path', 'The path contains malformed percent-encoding.');
const BAD_UTF8 = deny('ambiguous_path', 'The path decodes to bytes that are not valid UTF-8.');
const ENCODED_SEPARATOR = deny('ambiguous_path', 'The path contains an encoded "/" or "\\".');
const ENCODED_CONTROL = deny('ambiguous_path', 'The path decodes to a control character.');

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** C0 controls, DEL and C1 controls: no server should see them inside a path segment. */
function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

function isDotSegment(s: string): boolean {
  return (s.length === 1 && s.charCodeAt(0) === DOT) || (s.length === 2 && s.charCodeAt(0) === DOT && s.charCodeAt(1) === DOT);
}

/**
 * Decode one segment whose `%` escapes are already known to be `%` + two hex digits.
 * decodeURIComponent refuses invalid UTF-8, overlong forms (`%c0%ae`) and encoded surrogates.
 */
function decodeSegment(raw: string): string | Denial {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return BAD_UTF8;
  }
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c === SLASH || c === BACKSLASH) return ENCODED_SEPARATOR;
    if (isControl(c)) return ENCODED_CONTROL;
  }
  return decoded;
}

function checkQuery(query: string): Denial | undefined {
  // Only visible ASCII: Node hands other bytes over as latin1 characters, which a client library
  // could re-encode on the way out — and then the forwarded query would not be the authorized one.
  for (let i = 1; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c === HASH) return FRAGMENT;
    if (c < 0x21 || c > 0x7e) return BAD_QUERY_BYTE;
  }
  return undefined;
}

/** Parse Node's `req.url` (the origin-form target as sent) into what the gateway authorizes. */
export function parseRequestTarget(rawUrl: string): ParsedTarget {
  if (rawUrl.length === 0 || rawUrl.charCodeAt(0) !== SLASH) return NOT_ORIGIN_FORM;

  let end = rawUrl.indexOf('?');
  if (end === -1) end = rawUrl.length;
  if (end > MAX_PATH_BYTES) return TOO_LONG;

  const path = end === rawUrl.length ? rawUrl : rawUrl.slice(0, end);
  const query = end === rawUrl.length ? '' : rawUrl.slice(end);
  if (query.length > 0) {
    const bad = checkQuery(query);
    if (bad) return bad;
  }

  const segments: string[] = [];
  if (path.length === 1) return { ok: true, target: { path, query, segments } };

  let start = 1;
  let hasPercent = false;
  for (let i = 1; i <= path.length; i++) {
    const c = i === path.length ? SLASH : path.charCodeAt(i);
    if (c === SLASH) {
      const isLast = i === path.length;
      if (i === start) {
        // An empty segment is allowed only as the final one: the trailing slash of `/a/`.
        if (isLast) {
          segments.push('');
          break;
        }
        return EMPTY_SEGMENT;
      }
      if (segments.length === MAX_SEGMENTS) return TOO_MANY_SEGMENTS;
      const raw = path.slice(start, i);
      let segment: string;
      if (hasPercent) {
        const decoded = decodeSegment(raw);
        if (typeof decoded !== 'string') return decoded;
        segment = decoded;
      } else {
        segment = raw;
      }
      if (isDotSegment(segment)) return DOT_SEGMENT;
      segments.push(segment);
      start = i + 1;
      hasPercent = false;
      continue;
    }
    if (c === PERCENT) {
      if (i + 2 >= path.length || !isHex(path.charCodeAt(i + 1)) || !isHex(path.charCodeAt(i + 2))) return BAD_PERCENT;
      hasPercent = true;
      i += 2;
      continue;
    }
    if (c === BACKSLASH) return BACKSLASH_RAW;
    if (c === SEMICOLON) return MATRIX_PARAM;
    if (c === HASH) return FRAGMENT;
    if (c < 0x21 || c > 0x7e) return BAD_BYTE;
  }
  if (segments.length > MAX_SEGMENTS) return TOO_MANY_SEGMENTS;
  return { ok: true, target: { path, query, segments } };
}
