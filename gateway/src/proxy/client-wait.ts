// limits.response_idle_timeout on the client's side: what a relay does while it waits on the
// client — the upstream paused for backpressure, or the last bytes still buffered after the
// upstream ended. The relay's fast path never comes here; a wait begins only when the client is
// slower than the upstream.
import type { ServerResponse } from 'node:http';
import { ResponseIdleTimeoutError } from './timeout-errors.js';

/** What the relay does when a wait ends. */
export interface ClientWaitOwner {
  /** The client drained: the paused upstream goes on. */
  resume(): void;
  /** The client stopped reading while the upstream was paused: the exchange fails (the relay cuts the client off and aborts the upstream). */
  fail(error: Error): void;
  /** The upstream had ended: the client took the last bytes (no error), or stopped reading (the error; the client is already cut off). */
  finish(error?: Error): void;
}

/**
 * A client that stops reading would hold the pooled connection for ever (undici's bodyTimeout
 * never runs while the upstream is paused), so while the relay waits on the client one idle timer
 * runs. It is created at the first wait and refreshed at each later one (no timer per chunk), and
 * fires only if it runs out during a wait.
 */
export class ClientWait {
  private waiting = false;
  /** The upstream ended: the wait now is for the client's last bytes, not for a drain. */
  private afterEnd = false;
  private over = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly idleMs: number,
    private readonly owner: ClientWaitOwner,
  ) {}

  /** The relay paused the upstream (a write returned false): wait for the client to drain. */
  untilDrained(): void {
    this.res.once('drain', this.drained);
    this.begin();
  }

  /** The upstream ended with bytes still buffered for the client: wait for them to leave. */
  untilFinished(): void {
    this.afterEnd = true;
    this.res.once('finish', this.finished);
    this.begin();
  }

  /** The exchange is over: no wait ends in a callback from now. */
  clear(): void {
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private begin(): void {
    this.waiting = true;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.fire, this.idleMs);
  }

  private readonly drained = (): void => {
    this.waiting = false;
    if (!this.over && !this.afterEnd) this.owner.resume();
  };

  private readonly finished = (): void => {
    this.waiting = false;
    if (!this.over) this.owner.finish();
  };

  private readonly fire = (): void => {
    if (!this.waiting || this.over) return; // a wait that ended in time, or an exchange already over
    const error = new ResponseIdleTimeoutError();
    if (!this.afterEnd) return this.owner.fail(error);
    this.res.destroy();
    this.owner.finish(error);
  };
}
