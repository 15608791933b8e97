import type { ServerResponse } from 'node:http';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import { bodilessHeaders, hasNoBody } from './bodiless.js';
import type { UpstreamResponseHeaders } from './response-headers.js';

export interface RelayResult {
  /** 0 when no response head arrived. */
  readonly status: number;
  readonly upstreamMs: number;
  readonly error?: Error;
  /** The client went away before the response was complete. */
  readonly clientGone: boolean;
}

/**
 * An undici dispatch handler that writes the upstream's response straight into the client's
 * ServerResponse: no intermediate stream or promise per chunk, backpressure by pausing the
 * upstream, and the upstream request aborted as soon as the client goes away.
 */
function uncork(res: ServerResponse): void {
  res.uncork();
}

export class ResponseRelay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private upstreamMs = 0;
  private clientGone = false;
  private settled = false;
  /** A bodiless response (HEAD, 204, 304) is complete with its head: the rest is ignored. */
  private endedWithHead = false;
  private readonly startedAt = performance.now();
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly clientHeaders: (upstream: UpstreamResponseHeaders) => Record<string, string | string[]>,
    private readonly done: (result: RelayResult) => void,
    timeoutMs: number,
  ) {
    res.once('close', this.onClientClose);
    // undici's headersTimeout starts only once the request is on a socket; this one also covers
    // time spent queued for a free connection, so upstream.timeout bounds the whole wait.
    this.deadline = setTimeout(this.onDeadline, timeoutMs);
  }

  private readonly onDeadline = (): void => {
    if (this.status !== 0 || this.settled) return;
    const error = new undiciErrors.HeadersTimeoutError();
    if (this.controller) this.controller.abort(error);
    else this.finish(error); // still queued: it will be aborted the moment it is dispatched
  };

  private readonly onClientClose = (): void => {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.controller?.abort(new Error('client closed the connection'));
  };

  private readonly resume = (): void => this.controller?.resume();

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('client closed the connection'));
    else if (this.settled) controller.abort(new undiciErrors.HeadersTimeoutError());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx (102, 103 Early Hints, …) are dropped, by rule (docs/contract.md): toward the client the
    // gateway is the origin server, and their headers would bypass every rule of buildClientHeaders.
    if (statusCode < 200 || this.settled) return;
    this.status = statusCode;
    this.upstreamMs = performance.now() - this.startedAt;
    if (hasNoBody(this.res.req.method, statusCode)) {
      this.endedWithHead = true;
      this.res.writeHead(statusCode, bodilessHeaders(statusCode, this.clientHeaders(headers)));
      this.res.end();
      return;
    }
    this.res.writeHead(statusCode, this.clientHeaders(headers));
    // Head, body and end of a small response usually arrive in one parser pass: corking until
    // the next tick sends them in one write instead of several. Larger bodies stream on after.
    this.res.cork();
    process.nextTick(uncork, this.res);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled || this.endedWithHead) return;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', this.resume);
    }
  }

  onResponseEnd(): void {
    if (this.settled) return;
    if (!this.endedWithHead) this.res.end();
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // The client already has its whole bodiless answer; the upstream's connection is what broke.
    if (this.endedWithHead) return this.finish();
    // A response already under way cannot be turned into an error page: cut it off.
    if (this.status !== 0) this.res.destroy();
    this.finish(error);
  }

  private finish(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    this.res.off('close', this.onClientClose);
    this.done({ status: this.status, upstreamMs: this.upstreamMs, clientGone: this.clientGone, ...(error ? { error } : {}) });
  }
}
