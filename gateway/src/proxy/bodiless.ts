// Responses that never have a body, whatever their headers say (RFC 9110 §6.4.1): any answer
// to HEAD, a 204 and a 304. The gateway ends the client's response with its head and ignores
// anything the upstream sends after it.
//
// Why ending early matters: undici holds a 304 with `Content-Length` (which RFC 9110 §8.6 allows:
// the length the cached representation has) to that length and fails the response *after* its
// head arrived; and an upstream that writes a body after its 204 breaks its connection the same
// way. Either must still reach the client as the clean, complete answer the head already is.

import type { ClientHeaders } from './response-headers.js';

export function hasNoBody(method: string | undefined, status: number): boolean {
  return status === 204 || status === 304 || method === 'HEAD';
}

/**
 * The client's headers for a bodiless response. A 204 never carries Content-Length (RFC 9110
 * §8.6: a server MUST NOT send it); a 304 and a HEAD answer keep theirs, the length of the
 * representation they stand for.
 */
export function bodilessHeaders(status: number, headers: ClientHeaders): ClientHeaders {
  if (status !== 204) return headers;
  const kept: ClientHeaders = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i] !== 'content-length') kept.push(headers[i]!, headers[i + 1]!);
  return kept;
}
