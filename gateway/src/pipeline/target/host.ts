// The Host header (RFC 9112 §3.2): exactly one, holding `host[:port]`, or the request is refused
// (400 malformed_request) before anything else is looked at. Its value travels to the upstream
// in X-Forwarded-Host and builds the origin Location headers are rewritten to, so a value that
// is not a plain host must never get that far.
//
// host: a reg-name of RFC 3986 unreserved characters (letters, digits, `-`, `.`, `_`, `~`; this
// covers every DNS name and dotted IPv4 address), or an IPv6 address in brackets. RFC 3986 also
// lets a reg-name hold sub-delims (`!$&'()*+,;=`) and %-escapes; no DNS name uses them and they
// are what an injection needs, so they are refused too. port: 1–5 digits, at most 65535.
//
// Read from rawHeaders: Node keeps only the first of two Host headers in `req.headers`.
// HTTP/1.0 may omit Host (Node itself refuses an HTTP/1.1 request without one).

import { isIPv6 } from 'node:net';
import { deny, type Denial } from '../../errors/reasons.js';

/** Longest host accepted, port excluded: a DNS name is at most 253 characters. */
export const MAX_HOST_LENGTH = 255;

const TWO_HOSTS = deny('malformed_request', 'More than one Host header was sent.');
const BAD_HOST = deny('malformed_request', 'The Host header is not a valid host[:port].');

function isUnreserved(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

function isPort(text: string): boolean {
  if (text.length === 0 || text.length > 5) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return Number(text) <= 65535;
}

/** Is `value` exactly `host[:port]` as above? */
export function isValidHost(value: string): boolean {
  let hostEnd: number;
  if (value.charCodeAt(0) === 0x5b) {
    // [IPv6]: no zone id (a `%`), no IPvFuture.
    hostEnd = value.indexOf(']');
    if (hostEnd < 0) return false;
    const address = value.slice(1, hostEnd);
    if (address.includes('%') || !isIPv6(address)) return false;
    hostEnd++;
  } else {
    hostEnd = value.indexOf(':');
    if (hostEnd < 0) hostEnd = value.length;
    if (hostEnd === 0 || hostEnd > MAX_HOST_LENGTH) return false;
    for (let i = 0; i < hostEnd; i++) if (!isUnreserved(value.charCodeAt(i))) return false;
  }
  if (hostEnd === value.length) return true;
  return value.charCodeAt(hostEnd) === 0x3a && isPort(value.slice(hostEnd + 1));
}

/** undefined when the request has at most one Host and it is a valid `host[:port]`; else the refusal. */
export function checkHost(rawHeaders: readonly string[]): Denial | undefined {
  let host: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    if (host !== undefined) return TWO_HOSTS;
    host = rawHeaders[i + 1]!;
  }
  return host !== undefined && !isValidHost(host) ? BAD_HOST : undefined;
}
