// The one retry the upstream hop allows, and only for a request that provably never reached the
// upstream: "exactly once" still holds, since the first attempt put no byte on any connection.
//
// The proof is undici's: it calls a handler's onRequestStart synchronously just before it writes
// the request head to a socket (client-h1.js, writeH1 → request.onConnect). An attempt that fails
// before onRequestStart was never written anywhere. undici fails such an attempt when the connect
// fails (ECONNREFUSED …: every request queued on that connection is failed), and when an idle
// pooled socket is reset while a request waits on it (undici checks a reused socket for a FIN or
// reset before writing, but fails the waiting request on a reset rather than re-queueing it as it
// does after a FIN). Anything else — an error after onRequestStart (a reset or close after the
// request was written, even one the upstream never read), any time-out, the gateway's own
// refusals (413, 408), a client that left — is final, whatever the method.
import type { Readable } from 'node:stream';

/** connect_failed: no connection could be opened; socket_closed: the pooled socket was found closed before the request was written. */
export type RetryReason = 'connect_failed' | 'socket_closed';

export const RETRY_REASONS: readonly RetryReason[] = ['connect_failed', 'socket_closed'];

const CONNECT_FAILED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const SOCKET_CLOSED = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * Why an attempt that failed before onRequestStart may be sent once more, or undefined when it
 * may not (time-outs such as UND_ERR_CONNECT_TIMEOUT or ETIMEDOUT, and every error the gateway
 * raises itself, have codes outside both lists). Only for attempts that never started.
 */
export function retryReason(error: unknown): RetryReason | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (CONNECT_FAILED.has(code)) return 'connect_failed';
  if (SOCKET_CLOSED.has(code)) return 'socket_closed';
  return undefined;
}

/**
 * Whether a request's body can go again as it is: none, or a stream nobody has read from yet
 * (the body guard, which undici reads only after onRequestStart) and that is still whole.
 */
export function bodyUntouched(body: Readable | undefined): boolean {
  return body === undefined || (!body.readableDidRead && !body.destroyed && body.errored === null);
}

/**
 * One request's retry: `retry(error)` says whether the failed attempt (one that never started)
 * is sent again, at most once, and if so calls `resend(reason)` on a later turn of the event
 * loop, when undici is done failing the attempt (it may be failing the rest of a connection's
 * queue at that moment).
 */
export function retryOnce(body: Readable | undefined, resend: (reason: RetryReason) => void): (error: Error) => boolean {
  let used = false;
  return (error) => {
    if (used) return false;
    const reason = retryReason(error);
    if (reason === undefined || !bodyUntouched(body)) return false;
    used = true;
    setImmediate(resend, reason);
    return true;
  };
}
