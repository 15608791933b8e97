// proxy/body-guard.ts: a chunked body is counted on its way to the upstream and cut past the
// limit; a body that sends nothing for the idle time-out is cut and its watcher told, while a
// body that keeps moving, or whose bytes wait on the upstream side, is not.
import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, guardBody, type BodyWatcher } from '../../src/proxy/body-guard.js';
import { BodyIdleTimeoutError } from '../../src/proxy/timeout-errors.js';

const LONG_IDLE_MS = 60_000;

function watcher(): BodyWatcher & { failed: Promise<Error>; done: boolean } {
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const w = { failed, done: false, fail: (error: Error) => fail(error), bodyDone: () => void (w.done = true) };
  return w;
}

/** Pipes `chunks` through the guard and resolves with what came out and how it ended. */
async function pass(limit: number, chunks: string[]): Promise<{ out: string; error: unknown; done: boolean }> {
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
  });
  const w = watcher();
  const source = Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as IncomingMessage;
  let error: unknown;
  await pipeline(guardBody(source, limit, LONG_IDLE_MS, w), sink).catch((e: unknown) => (error = e));
  return { out: Buffer.concat(received).toString(), error, done: w.done };
}

describe('guardBody: the body limit', () => {
  it('passes a body under or exactly at the limit through unchanged, and says when it is done', async () => {
    expect(await pass(10, ['abc', 'def'])).toEqual({ out: 'abcdef', error: undefined, done: true });
    expect(await pass(10, ['abcde', 'fghij'])).toEqual({ out: 'abcdefghij', error: undefined, done: true });
    expect(await pass(0, [])).toEqual({ out: '', error: undefined, done: true });
  });

  it('fails the stream with body_too_large at the first byte past the limit, passing nothing of that chunk', async () => {
    const { out, error, done } = await pass(10, ['abcde', 'fghij', 'k', 'lmnop']);
    expect(out).toBe('abcdefghij');
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).code).toBe('body_too_large');
    expect(done).toBe(false);
  });

  it('counts bytes, not characters', async () => {
    const { error } = await pass(3, ['éé']); // 4 bytes
    expect(error).toBeInstanceOf(BodyTooLargeError);
  });

  it('one oversized chunk is refused whole', async () => {
    expect(await pass(4, ['abcdefgh'])).toMatchObject({ out: '' });
  });
});

describe('guardBody: the idle time-out', () => {
  it('a body that stops sending is cut after the idle time-out and the watcher is told', async () => {
    const source = new PassThrough();
    const w = watcher();
    const guard = guardBody(source as unknown as IncomingMessage, Infinity, 50, w);
    guard.on('error', () => undefined); // undici would hear it; here the watcher is what is tested
    guard.resume();
    const started = performance.now();
    source.write('{"title":');
    const error = await w.failed;
    expect(error).toBeInstanceOf(BodyIdleTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(guard.destroyed).toBe(true);
    expect(w.done).toBe(false);
  });

  it('bytes waiting on the upstream side (nobody reads the guard) are not the client\'s silence', async () => {
    const source = new PassThrough();
    const w = watcher();
    // Nothing reads the guard: with a small highWaterMark the bytes stay buffered in it.
    const guard = guardBody(source as unknown as IncomingMessage, Infinity, 30, w);
    guard.on('error', () => undefined);
    source.write(Buffer.alloc(64 * 1024, 'x'));
    let fired = false;
    void w.failed.then(() => (fired = true));
    // Several idle periods pass while the bytes wait on the reader, not on the client.
    await new Promise((resolve) => setTimeout(resolve, 150)); // letting the guard's own timer run, not synchronising
    expect(fired).toBe(false);
    guard.destroy();
  });
});

describe('guardBody: failing with nobody reading it', () => {
  it('a body past the limit after its exchange ended (no request holds the guard) tells the watcher, never an unhandled error, and leaves the request alive and paused', async () => {
    // Before the first attempt, between a failed attempt and its retry, or after a 502 while the
    // client still uploads: undici's 'error' listener is gone, and the guard must not crash the process.
    const source = new PassThrough();
    const w = watcher();
    const guard = guardBody(source as unknown as IncomingMessage, 4, LONG_IDLE_MS, w);
    source.write('abcdefgh');
    expect(await w.failed).toBeInstanceOf(BodyTooLargeError);
    expect(guard.destroyed).toBe(true);
    // Its socket still carries the 413; nothing of the request is read by the guard any more
    // (linger.ts reads the rest).
    expect(source.destroyed).toBe(false);
    expect(source.isPaused()).toBe(true);
    expect(source.listenerCount('data')).toBe(0);
  });
});

describe('guardBody: the request it reads from', () => {
  it('holds the client back while nobody reads the guard, and lets it go on once undici reads', async () => {
    const source = new PassThrough();
    const w = watcher();
    const guard = guardBody(source as unknown as IncomingMessage, Infinity, LONG_IDLE_MS, w);
    // As a socket delivers it: in chunks (backpressure works chunk by chunk).
    const chunks = Array.from({ length: 16 }, (_, i) => Buffer.alloc(16 * 1024, 97 + i));
    const body = Buffer.concat(chunks);
    for (const chunk of chunks) source.write(chunk);
    Object.assign(source, { complete: true }); // as Node marks a request whose body the parser has seen whole
    source.end();
    await new Promise<void>((resolve) => setImmediate(resolve));
    // The guard's buffer filled to its highWaterMark and the request was paused there.
    expect(guard.readableLength).toBeLessThan(body.length);
    expect(source.isPaused()).toBe(true);
    const received: Buffer[] = [];
    for await (const chunk of guard) received.push(chunk as Buffer);
    expect(Buffer.concat(received).equals(body)).toBe(true);
    expect(w.done).toBe(true);
  });

  it('a client that errors mid-body fails the guard with that error', async () => {
    const source = new PassThrough();
    const w = watcher();
    const guard = guardBody(source as unknown as IncomingMessage, Infinity, LONG_IDLE_MS, w);
    source.write('{"ti');
    source.destroy(new Error('socket hang up'));
    expect((await w.failed).message).toBe('socket hang up');
    expect(guard.destroyed).toBe(true);
  });
});
