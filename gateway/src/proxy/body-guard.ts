import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
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
 */
class BodyGuard extends Transform {
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
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.idle.refresh();
    this.seen += chunk.length;
    if (this.seen > this.limitBytes) callback(new BodyTooLargeError());
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    clearTimeout(this.idle);
    this.watcher.bodyDone();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idle);
    callback(error);
  }

  private readonly checkIdle = (): void => {
    if (this.destroyed) return;
    if (this.writableLength > 0 || this.readableLength > 0 || this.source.readableLength > 0) {
      this.idle.refresh();
      return;
    }
    const error = new BodyIdleTimeoutError();
    this.watcher.fail(error);
    this.destroy(error);
  };
}

/**
 * Pipes the request body through a guard and returns the guard, the stream undici sends.
 * `pipe`, not `pipeline`: a failing guard must not destroy the request, whose socket still has
 * to carry the 408 or 413 (and then drain the rest of the body: linger.ts).
 */
export function guardBody(req: IncomingMessage, limitBytes: number, idleMs: number, watcher: BodyWatcher): Transform {
  const guard = new BodyGuard(req, limitBytes, idleMs, watcher);
  // The guard's failures end the exchange through the watcher, and the guard always has this
  // listener: undici's comes and goes with each attempt, and a body still arriving after the
  // exchange ended (a 502 before its upload was done) must never raise an unhandled 'error'.
  guard.on('error', (error) => watcher.fail(error));
  req.once('error', (error) => guard.destroy(error));
  // A client gone mid-body must fail the upstream request too; pipe alone would leave it waiting.
  req.once('close', () => {
    if (!req.complete) guard.destroy(new Error('the client closed the request body early'));
  });
  req.pipe(guard);
  return guard;
}
