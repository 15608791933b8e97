import type { ServerResponse } from 'node:http';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import { bodilessHeaders, hasNoBody } from './bodiless.js';
import { ClientWait } from './client-wait.js';
import { HeadDeadline } from './head-deadline.js';
import type { RelayResult, RelaySettings } from './relay-settings.js';
import type { ClientHeaders, RawResponseHeaders } from './response-headers.js';

const CLIENT_CLOSED = 'client closed the connection';

/**
 * An undici dispatch handler that writes the upstream's response straight into the client's
 * ServerResponse: no stream or promise per chunk, backpressure by pausing the upstream, the
 * upstream request aborted as soon as the client goes away. Timers: the wait for the head
 * (head-deadline.ts) and the waits on the client (client-wait.ts). It is undici's own handler
 * interface with the raw header list: a controller-style handler is wrapped by undici in an
 * adapter that parses every head into an object (bench/README.md, "Where the microseconds go").
 */
export class ResponseRelay implements Dispatcher.DispatchHandler {
  /** undici's abort and resume for the attempt on a connection; undefined while it waits for one. */
  private abort: ((error?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  private attemptAborted = false;
  private status = 0;
  private upstreamMs = 0;
  private clientGone = false;
  private settled = false;
  /** A bodiless response (HEAD, 204, 304) is complete with its head: the rest is ignored. */
  private endedWithHead = false;
  private dispatched = false;
  private undiciDone = false;
  /** The upstream ended; only the client's socket still holds bytes of the response. */
  private ended = false;
  /** Created at the first wait on the client. */
  private clientWait: ClientWait | undefined;
  /** Some of the body (or its end) was written: the head went out with it. */
  private bodyStarted = false;
  private failure: Error | undefined;
  /** Whether an attempt that never started may go once more (retry.ts); none by default. */
  private retry: ((error: Error) => boolean) | undefined;
  private readonly startedAt = performance.now();
  private readonly deadline: HeadDeadline;

  constructor(
    private readonly res: ServerResponse,
    private readonly clientHeaders: (upstream: RawResponseHeaders) => ClientHeaders,
    private readonly done: (result: RelayResult) => void,
    private readonly settings: RelaySettings,
  ) {
    res.on('close', this.onClientClose); // at most once: `on` needs no once-wrapper; finish() takes it off
    this.deadline = new HeadDeadline(settings.headTimeoutMs, this);
    settings.load.started();
  }

  /** Ends the exchange with `error`: the upstream request is aborted now, or the moment it leaves the queue. */
  fail(error: Error): void {
    if (this.settled) return;
    this.failure = error;
    if (this.abort) this.abortAttempt(error);
    else this.finish(error);
  }

  /** The request has a body: the head time-out waits for it once the request is on a connection. */
  expectBody(): void {
    this.deadline.expectBody();
  }

  /** The whole request body arrived from the client (the body guard tells). */
  bodyDone(): void {
    this.deadline.bodyDone();
  }

  /**
   * `retry(error)` decides whether an attempt that failed before reaching a connection goes again
   * (and sends it, with this relay as its handler: a relay ended meanwhile aborts it at its start).
   */
  retryWith(retry: (error: Error) => boolean): void {
    this.retry = retry;
  }

  private readonly onClientClose = (): void => {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    if (this.ended) this.finish(new Error(CLIENT_CLOSED));
    else this.abortAttempt(new Error(CLIENT_CLOSED));
  };

  /** Runs on the tick after the head: what was corked goes out, and a head with no body yet too. */
  flushHead(): void {
    this.res.uncork();
    // An event stream that flushes its head first: the client must see it before the first event.
    if (!this.bodyStarted && !this.settled && !this.res.destroyed) this.res.flushHeaders();
  }

  /** The waits on the client are the slow path (client-wait.ts): their callbacks are made only when one begins. */
  private waitOnClient(): ClientWait {
    return (this.clientWait ??= new ClientWait(this.res, this.settings.idleTimeoutMs, {
      resume: () => this.resume?.(),
      fail: (error) => this.fail(error), // onError cuts the client off
      finish: (error) => this.finish(error),
    }));
  }

  private leaveUndici(): void {
    if (this.undiciDone) return;
    this.undiciDone = true;
    this.settings.load.ended(this.dispatched);
  }

  /** The attempt is on a connection, its head about to be written (retry.ts relies on exactly this). */
  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    this.attemptAborted = false;
    if (!this.dispatched) {
      this.dispatched = true;
      this.deadline.dispatched();
      this.settings.load.dispatched();
    }
    if (this.clientGone) this.abortAttempt(new Error(CLIENT_CLOSED));
    else if (this.settled) this.abortAttempt(this.failure ?? new undiciErrors.HeadersTimeoutError());
  }

  /** Once per attempt: undici's abort is not guarded against a second call. */
  private abortAttempt(error: Error): void {
    if (this.abort === undefined || this.attemptAborted) return;
    this.attemptAborted = true;
    this.abort(error);
  }

  /** The response head; true: go on reading. */
  onHeaders(statusCode: number, headers: Buffer[], resume: () => void): boolean {
    // 1xx (102, 103 Early Hints, …) are dropped, by rule (docs/contract.md): toward the client the
    // gateway is the origin server, and their headers would bypass every rule of buildClientHeaders.
    if (statusCode < 200 || this.settled) return true;
    this.resume = resume;
    this.status = statusCode;
    this.upstreamMs = performance.now() - this.startedAt;
    this.deadline.clear();
    if (hasNoBody(this.res.req.method, statusCode)) {
      this.endedWithHead = true;
      this.res.writeHead(statusCode, bodilessHeaders(statusCode, this.clientHeaders(headers)));
      this.res.end();
      return true;
    }
    this.res.writeHead(statusCode, this.clientHeaders(headers));
    // Head, body and end of a small response usually arrive in one parser pass: corking until
    // the next tick sends them in one write instead of several. Larger bodies stream on after.
    this.res.cork();
    process.nextTick(flushHeadOf, this);
    return true;
  }

  /** A piece of the body; false: undici pauses the upstream until `resume` (the client drained). */
  onData(chunk: Buffer): boolean {
    if (this.settled || this.endedWithHead) return true;
    this.bodyStarted = true;
    if (this.res.write(chunk)) return true;
    this.waitOnClient().untilDrained();
    return false;
  }

  onComplete(): void {
    this.leaveUndici();
    if (this.settled) return;
    if (this.endedWithHead) return this.finish();
    this.bodyStarted = true;
    this.res.end(); // also uncorks: what is left in writableLength is waiting on the client
    if (this.res.writableLength === 0) return this.finish();
    this.ended = true;
    this.waitOnClient().untilFinished();
  }

  onError(error: Error): void {
    // Never on a connection (onConnect never ran), so nothing of it was written: it may go again.
    if (!this.dispatched && !this.settled && !this.clientGone && this.retry?.(error)) return;
    this.leaveUndici();
    // The client already has its whole bodiless answer; the upstream's connection is what broke.
    if (this.endedWithHead) return this.finish();
    // A response already under way cannot be turned into an error page: cut it off.
    if (this.status !== 0) this.res.destroy();
    this.finish(error);
  }

  private finish(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.deadline.clear();
    this.clientWait?.clear();
    this.res.off('close', this.onClientClose);
    this.done({ status: this.status, upstreamMs: this.upstreamMs, clientGone: this.clientGone, ...(error ? { error } : {}) });
  }
}

function flushHeadOf(relay: ResponseRelay): void {
  relay.flushHead();
}
