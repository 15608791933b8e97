import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { BodyIdleTimeoutError } from './timeout-errors.js';

export class BodyTooLargeError extends Error {
  // The reason code the client gets (413 body_too_large): one name for one failure.
  readonly code = 'body_too_large';
  constructor() {
    super('request body exceeds the configured limit');
  }
}

/** Who hears about the body: the relay, which aborts the exchange or starts the wait for the head. */
export interface BodyWatcher {
  /** The body failed: it stood still for the idle time-out, grew past the limit, or its client left. */
  fail(error: Error): void;
  /** The whole body arrived from the client. */
  bodyDone(): void;
}

/**
 * The request body on its way to the upstream. It counts a body of unknown length (chunked)
 * against limits.body — a declared Content-Length is checked before forwarding, and Node's
 * parser holds the client to it — and it cuts a body that sends nothing for
 * limits.body_idle_timeout. One timer per body, refreshed (never re-created) per chunk; only time
 * spent waiting on the client counts: while the upstream is slow to take the body, bytes wait on
 * the gateway's side and the timer is simply re-armed.
 *
 * A Readable fed from the request's 'data' events, not a Transform the request is piped into:
 * the same backpressure (the request is paused while the guard's buffer is full, resumed when
 * undici reads) with one stream instead of two and no pipe's listeners — measured side by side,
 * the Transform and its pipe were most of what a request with a body cost above one without
 * (bench/README.md, "Where the microseconds go"). Destroying the guard never destroys the
 * request: its socket still has to carry the 408 or 413 (and then drain the rest: linger.ts).
 */
class BodyGuard extends Readable {
  private seen = 0;
  private readonly idle: NodeJS.Timeout;

  constructor(
    private readonly source: IncomingMessage,
    private readonly limitBytes: number,
    idleMs: number,
    private readonly watcher: BodyWatcher,
  ) {
    super();
    this.idle = setTimeout(this.checkIdle, idleMs);
    source.on('data', this.onChunk);
    source.on('end', this.onEnd);
  }

  /** undici (or whoever reads the guard) wants more: let the client's bytes flow again. */
  override _read(): void {
    this.source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idle);
    this.source.off('data', this.onChunk);
    this.source.off('end', this.onEnd);
    // What the client still sends is for linger.ts (or the next attempt at nothing): not read here.
    this.source.pause();
    callback(error);
  }

  private readonly onChunk = (chunk: Buffer): void => {
    this.idle.refresh();
    this.seen += chunk.length;
    if (this.seen > this.limitBytes) return void this.destroy(new BodyTooLargeError());
    if (!this.push(chunk)) this.source.pause();
  };

  private readonly onEnd = (): void => {
    clearTimeout(this.idle);
    this.watcher.bodyDone();
    this.push(null);
  };

  private readonly checkIdle = (): void => {
    if (this.destroyed) return;
    if (this.readableLength > 0 || this.source.readableLength > 0) {
      this.idle.refresh();
      return;
    }
    const error = new BodyIdleTimeoutError();
    this.watcher.fail(error);
    this.destroy(error);
  };
}

/**
 * The guard over the request body: the stream undici sends. Its failures end the exchange
 * through the watcher, and the guard always has this listener: undici's comes and goes with
 * each attempt, and a body still arriving after the exchange ended (a 502 before its upload was
 * done) must never raise an unhandled 'error'.
 */
export function guardBody(req: IncomingMessage, limitBytes: number, idleMs: number, watcher: BodyWatcher): Readable {
  const guard = new BodyGuard(req, limitBytes, idleMs, watcher);
  guard.on('error', (error) => watcher.fail(error));
  req.once('error', (error) => guard.destroy(error));
  // A client gone mid-body must fail the upstream request too.
  req.once('close', () => {
    if (!req.complete) guard.destroy(new Error('the client closed the request body early'));
  });
  return guard;
}
