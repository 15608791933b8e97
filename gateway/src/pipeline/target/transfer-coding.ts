// Request transfer codings (RFC 9112 §6.1): the gateway decodes `chunked` and nothing else.
// Node's parser accepts any codings before a final `chunked` (`gzip, chunked`), removes only
// the chunked framing, and the header is hop-by-hop, so the upstream would get still-compressed
// bytes announced as plain ones. Any coding but one `chunked` is therefore refused with
// 501 unsupported_transfer_coding, as RFC 9112 §6.1 asks of a server that does not implement it.
// A list whose final coding is not `chunked` (`xchunked`, `chunked, identity`) leaves the body's
// length unknowable: 400 malformed_request, as RFC 9112 §6.3 asks — decided here, before any
// answer, and not left to the parser, which may only fail once the handler already answered.
// Empty list elements (`, chunked`) are ignored, as RFC 9110 §5.6.1 requires.
//
// Read from rawHeaders: several Transfer-Encoding lines form one list.

import { deny, type Denial } from '../../errors/reasons.js';

// The reason's own message says it all (errors/reasons.ts).
const UNSUPPORTED = deny('unsupported_transfer_coding');
const NOT_FINAL = deny('malformed_request', 'chunked must be the final transfer coding.');

/** undefined when the request has no transfer coding or only `chunked`; else the refusal. */
export function checkTransferCoding(rawHeaders: readonly string[]): Denial | undefined {
  let chunked = 0;
  let other = false;
  let last: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 17 || name.toLowerCase() !== 'transfer-encoding') continue;
    for (const part of rawHeaders[i + 1]!.split(',')) {
      const coding = part.trim().toLowerCase();
      if (coding === '') continue;
      last = coding;
      if (coding === 'chunked') chunked++;
      else other = true;
    }
  }
  if (last === undefined) return undefined;
  if (last !== 'chunked') return NOT_FINAL;
  return other || chunked > 1 ? UNSUPPORTED : undefined;
}
