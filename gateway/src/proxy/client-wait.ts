// limits.response_idle_timeout on the client's side: the one timer a relay runs while it waits on
// the client — the upstream paused for backpressure, or the last bytes still buffered after the
// upstream ended.

/**
 * A client that stops reading would hold the pooled connection for ever (undici's bodyTimeout
 * never runs while the upstream is paused), so while the relay waits on the client one idle timer
 * runs. It is created at the first wait and refreshed at each later one (no timer per chunk), and
 * calls `onIdle` only if it runs out during a wait; the relay then cuts the client off and aborts
 * the upstream request, which frees the connection.
 */
export class ClientWait {
  private waiting = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
  ) {}

  /** The relay waits on the client from now. */
  begin(): void {
    this.waiting = true;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.fire, this.idleMs);
  }

  /** The client took what was waiting. */
  end(): void {
    this.waiting = false;
  }

  /** The exchange is over. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private readonly fire = (): void => {
    if (this.waiting) this.onIdle(); // else a wait that ended in time
  };
}
