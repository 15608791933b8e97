// Requests in flight upstream per key, in this process (a cluster worker or a replica counts its
// own): at most `max` at once, refused beyond it — never queued behind the whole pool.

export class ConcurrencyShare {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `key`; false when the key already holds `max`. */
  tryAcquire(key: string): boolean {
    const held = this.inFlight.get(key) ?? 0;
    if (held >= this.max) return false;
    this.inFlight.set(key, held + 1);
    return true;
  }

  release(key: string): void {
    const held = this.inFlight.get(key);
    if (held === undefined) return;
    if (held <= 1) this.inFlight.delete(key);
    else this.inFlight.set(key, held - 1);
  }

  /** Keys holding at least one slot (tests, diagnostics). */
  get keys(): number {
    return this.inFlight.size;
  }
}
