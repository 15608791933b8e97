// Kids that a fetch has just shown to be absent from the issuer's key set, each until the next
// fetch may start (the fetch's start + jwks_cooldown). A token with such a kid is refused at once:
// it neither waits for nor asks for a fetch, so clients still sending a removed key's tokens, or
// a storm of made-up kids, cannot keep the cooldown busy for a real rotation. Bounded: past
// MAX_RECENTLY_ABSENT entries the oldest go (a forgotten kid just waits for the next fetch again).

export const MAX_RECENTLY_ABSENT = 1024;

interface Entry {
  readonly fromMs: number;
  readonly untilMs: number;
}

export class RecentlyAbsent {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = MAX_RECENTLY_ABSENT) {}

  has(key: string, nowMs: number): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    // A wall clock stepped backwards ends an entry too: it must not hold a kid back for longer.
    if (nowMs >= entry.fromMs && nowMs < entry.untilMs) return true;
    this.entries.delete(key);
    return false;
  }

  add(key: string, fromMs: number, untilMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { fromMs, untilMs });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The lookup a token makes: its alg and kid (a kid may be published for another alg only). */
export function absentKey(alg: string, kid: string | undefined): string {
  return kid === undefined ? `${alg}\n` : `${alg}\n${kid}\n`;
}
