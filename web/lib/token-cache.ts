// The API client's token: asked for through a TokenSource, kept until shortly before its `exp`,
// and fetched once for callers that ask at the same time. Plain TypeScript, no imports.

/** Returns a JWT for the signed-in user, or null when there is no session. */
export type TokenSource = () => Promise<string | null>;

/** Reads `exp` (seconds) from a JWT without verifying it: only to know when to renew. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp: unknown = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** Caches one token until `margin` seconds before its expiry; concurrent callers share a fetch. */
export class TokenCache {
  private token: string | null = null;
  private expiresAtMs = 0;
  private inflight: Promise<string | null> | null = null;

  constructor(
    private readonly source: TokenSource,
    private readonly marginSeconds = 30,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string | null> {
    if (this.token !== null && this.now() < this.expiresAtMs) return this.token;
    this.inflight ??= this.fetchFresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  clear(): void {
    this.token = null;
    this.expiresAtMs = 0;
  }

  private async fetchFresh(): Promise<string | null> {
    this.clear();
    const token = await this.source();
    if (!token) return null;
    const exp = tokenExpiry(token);
    // A token without a readable exp is used for this call only, never cached.
    if (exp !== undefined) {
      this.token = token;
      this.expiresAtMs = (exp - this.marginSeconds) * 1000;
    }
    return token;
  }
}
