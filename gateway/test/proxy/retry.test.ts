// proxy/retry.ts: which failures of an attempt that never started may be sent once more (a
// refused or failed connect, a pooled socket found closed), which never are (every time-out, the
// gateway's own refusals, anything unknown), a body only while nobody has read from it, and
// at most one retry per request, sent on a later turn of the event loop.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { errors as undiciErrors } from 'undici';
import { BodyTooLargeError } from '../../src/proxy/body-guard.js';
import { bodyUntouched, retryOnce, retryReason, type RetryReason } from '../../src/proxy/retry.js';
import { BodyIdleTimeoutError, ResponseIdleTimeoutError } from '../../src/proxy/timeout-errors.js';

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code, syscall: 'connect' });
}

describe('retryReason', () => {
  it('names a connect that failed before any socket existed connect_failed', () => {
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']) expect(retryReason(systemError(code)), code).toBe('connect_failed');
    // Node's happy-eyeballs connect fails with an AggregateError carrying the first code.
    expect(retryReason(Object.assign(new AggregateError([systemError('ECONNREFUSED')]), { code: 'ECONNREFUSED' }))).toBe('connect_failed');
  });

  it('names a pooled socket found reset or closed socket_closed', () => {
    for (const code of ['ECONNRESET', 'ECONNABORTED', 'EPIPE']) expect(retryReason(systemError(code)), code).toBe('socket_closed');
    expect(retryReason(new undiciErrors.SocketError('other side closed'))).toBe('socket_closed');
  });

  it('never retries a time-out, whichever', () => {
    expect(retryReason(new undiciErrors.ConnectTimeoutError())).toBeUndefined();
    expect(retryReason(new undiciErrors.HeadersTimeoutError())).toBeUndefined();
    expect(retryReason(new undiciErrors.BodyTimeoutError())).toBeUndefined();
    expect(retryReason(systemError('ETIMEDOUT'))).toBeUndefined();
    expect(retryReason(new BodyIdleTimeoutError())).toBeUndefined();
    expect(retryReason(new ResponseIdleTimeoutError())).toBeUndefined();
  });

  it('never retries the gateway\'s own refusals, aborts, or anything it does not know', () => {
    expect(retryReason(new BodyTooLargeError())).toBeUndefined();
    expect(retryReason(new undiciErrors.RequestAbortedError())).toBeUndefined();
    expect(retryReason(new undiciErrors.ClientDestroyedError())).toBeUndefined();
    expect(retryReason(new undiciErrors.InvalidArgumentError('bad'))).toBeUndefined();
    expect(retryReason(systemError('ENOTFOUND'))).toBeUndefined();
    expect(retryReason(new Error('client closed the connection'))).toBeUndefined();
    expect(retryReason(undefined)).toBeUndefined();
    expect(retryReason({ code: 42 })).toBeUndefined();
  });
});

describe('bodyUntouched', () => {
  it('holds for no body, and for a stream nobody has read (bytes waiting in it included)', () => {
    expect(bodyUntouched(undefined)).toBe(true);
    const body = new PassThrough();
    body.write('waiting');
    expect(bodyUntouched(body)).toBe(true);
  });

  it('fails once a byte was read, or when the stream was destroyed or failed', () => {
    const read = new PassThrough();
    read.write('abc');
    read.read(1);
    expect(bodyUntouched(read)).toBe(false);
    const destroyed = new PassThrough();
    destroyed.destroy();
    expect(bodyUntouched(destroyed)).toBe(false);
    const failed = new PassThrough();
    failed.on('error', () => undefined);
    failed.destroy(new BodyTooLargeError());
    expect(bodyUntouched(failed)).toBe(false);
  });
});

describe('retryOnce', () => {
  const resent = (): { reasons: RetryReason[]; next: Promise<void>; resend: (reason: RetryReason) => void } => {
    const reasons: RetryReason[] = [];
    let done: () => void = () => {};
    const next = new Promise<void>((resolve) => (done = resolve));
    return { reasons, next, resend: (reason) => (reasons.push(reason), done()) };
  };

  it('sends a retryable failure once more, on a later turn, and never a second time', async () => {
    const r = resent();
    const retry = retryOnce(undefined, r.resend);
    expect(retry(systemError('ECONNRESET'))).toBe(true);
    expect(r.reasons).toEqual([]); // not while undici is still failing the attempt
    await r.next;
    expect(r.reasons).toEqual(['socket_closed']);
    expect(retry(systemError('ECONNREFUSED'))).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.reasons).toEqual(['socket_closed']);
  });

  it('refuses what is not retryable, and a body already read', () => {
    const r = resent();
    expect(retryOnce(undefined, r.resend)(new undiciErrors.HeadersTimeoutError())).toBe(false);
    const body = new PassThrough();
    body.write('x');
    body.read();
    expect(retryOnce(body, r.resend)(systemError('ECONNREFUSED'))).toBe(false);
    expect(retryOnce(new PassThrough(), r.resend)(systemError('ECONNREFUSED'))).toBe(true);
  });
});
