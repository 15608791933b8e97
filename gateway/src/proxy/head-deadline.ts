// upstream.timeout as the relay applies it: one timer from the moment a request is forwarded until
// the upstream's response head, time queued for a free connection (and a retry) included.
import { errors as undiciErrors } from 'undici';

/**
 * undici's headersTimeout starts only once the request is on a socket; this one also covers the
 * wait for a connection, so upstream.timeout bounds the whole wait. While a request is on a
 * connection and still uploading, a slow body is limits.body_idle_timeout's business: the wait
 * for the head starts again when the body is done (as undici's own headersTimeout does).
 */
export class HeadDeadline {
  private bodyPending = false;
  private onConnection = false;
  private over = false;
  private readonly timer: NodeJS.Timeout;

  /** `owner.fail` hears of the time-out (undici's HeadersTimeoutError, as its own headersTimeout would raise). */
  constructor(
    ms: number,
    private readonly owner: { fail(error: Error): void },
  ) {
    // A function shared by every deadline, given this one as its argument: no closure per request.
    this.timer = setTimeout(fire, ms, this);
  }

  /** The request has a body: the head time-out waits for it once the request is on a connection. */
  expectBody(): void {
    this.bodyPending = true;
  }

  /** The request is on a connection. */
  dispatched(): void {
    this.onConnection = true;
  }

  /** The whole request body arrived from the client. */
  bodyDone(): void {
    this.bodyPending = false;
    if (this.onConnection && !this.over) this.timer.refresh();
  }

  /** The head arrived, or the exchange is over. */
  clear(): void {
    this.over = true;
    clearTimeout(this.timer);
  }

  /** The timer ran out: fail, unless a body still uploading holds the wait back (then wait again). */
  expire(): void {
    if (this.over) return;
    if (this.onConnection && this.bodyPending) this.timer.refresh();
    else this.owner.fail(new undiciErrors.HeadersTimeoutError());
  }
}

function fire(deadline: HeadDeadline): void {
  deadline.expire();
}
