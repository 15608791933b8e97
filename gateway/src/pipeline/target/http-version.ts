// The request line's HTTP version (RFC 9112 §2.3): the gateway serves HTTP/1.0 and HTTP/1.1.
// Node's parser refuses most other versions itself (a plain 400: `HTTP/1.2`, `HTTP/3.0`, the
// HTTP/2 preface), but it parses `HTTP/2.0` and `HTTP/0.9` request lines and would have them
// served like any other: those get 505 http_version_not_supported (RFC 9110 §15.6.6), and the
// connection closes, since a client that speaks another version cannot be expected to read
// further HTTP/1.1 answers on it.
import type { Denial } from '../../errors/reasons.js';

const UNSUPPORTED: Denial = { ok: false, reason: 'http_version_not_supported', headers: { connection: 'close' } };

/** undefined for `1.0` and `1.1` (Node's `req.httpVersion`); else the refusal. */
export function checkHttpVersion(httpVersion: string | undefined): Denial | undefined {
  return httpVersion === '1.1' || httpVersion === '1.0' ? undefined : UNSUPPORTED;
}
