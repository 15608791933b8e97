// Requests in flight upstream per key, in this process (a cluster worker or a replica counts its
// own): at most `max` at once, refused beyond it — never queued behind the whole pool. The counts
// outlive a reload (the successor state adopts this object), so requests still in flight under
// the old config keep counting against the new limit.

export class ConcurrencyShare {
  private readonly inFlight = new Map<string, number>();

  /** Takes a slot for `key`; false when the key already holds `max`. */
  tryAcquire(key: string, max: number): boolean {
    const held = this.inFlight.get(key) ?? 0;
    if (held >= max) return false;
    this.inFlight.set(key, held + 1);
    return true;
  }

  release(key: string): void {
    const held = this.inFlight.get(key);
    if (held === undefined) return;
    if (held <= 1) this.inFlight.delete(key);
    else this.inFlight.set(key, held - 1);
  }

  /** Slots `key` holds now. */
  held(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  /** Keys holding at least one slot (tests, diagnostics). */
  get keys(): number {
    return this.inFlight.size;
  }
}
