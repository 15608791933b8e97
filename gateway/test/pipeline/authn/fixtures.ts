// Config builders and a controllable clock for the authn tests.

import type { AuthConfig, IssuerConfig } from '../../../src/config/types.js';
import { createAuthenticator, type AuthnDeps, type AuthnEvents, type Authenticator } from '../../../src/pipeline/authn/index.js';

export const ISS = 'https://auth.example.test';
export const AUD = 'https://api.example.test';

export function authConfig(issuers: IssuerConfig[], overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    issuers,
    clockToleranceMs: 30_000,
    subjectClaim: 'sub',
    jwksCacheMs: 600_000,
    jwksCooldownMs: 5_000,
    jwksTimeoutMs: 2_000,
    jwksMaxStaleMs: 3_600_000,
    tokenCacheSize: 100,
    tokenCacheBytes: 16 * 1024 * 1024,
    ...overrides,
  };
}

export function jwksIssuer(name: string, jwksUrl: string, algorithms: string[], extra: Partial<IssuerConfig> = {}): IssuerConfig {
  return { name, keySource: { kind: 'jwks', jwksUrl }, algorithms, issuer: ISS, audience: [AUD], ...extra };
}

export function secretIssuer(name: string, secret: string, extra: Partial<IssuerConfig> = {}): IssuerConfig {
  return { name, keySource: { kind: 'secret', secret }, algorithms: ['HS256'], issuer: ISS, audience: [AUD], ...extra };
}

/** A clock the test moves by hand. */
export class Clock {
  /** Starts on a whole second, so that "exp = now + 60 s" is exactly 60 000 ms away. */
  constructor(public ms = Math.floor(Date.now() / 1000) * 1000) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

/** Records every event, and lets a test await the next one. */
export class EventLog implements Required<AuthnEvents> {
  readonly fetches: [string, string][] = [];
  readonly changes: string[] = [];
  private waiters: { match: (kind: string, issuer: string, result?: string) => boolean; resolve: () => void }[] = [];

  keyFetch = (issuer: string, result: 'success' | 'error' | 'empty'): void => {
    this.fetches.push([issuer, result]);
    this.notify('fetch', issuer, result);
  };

  keysChanged = (issuer: string): void => {
    this.changes.push(issuer);
    this.notify('change', issuer);
  };

  readonly ignored: [string, number][] = [];

  keysIgnored = (issuer: string, listed: number): void => {
    this.ignored.push([issuer, listed]);
  };

  /** How each token with an unknown kid was answered, in order. */
  readonly kidWaits: [string, string][] = [];

  kidWait = (issuer: string, outcome: string): void => {
    this.kidWaits.push([issuer, outcome]);
  };

  /** Resolves at the next fetch event (optionally with this result). */
  nextFetch(result?: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ match: (kind, _i, r) => kind === 'fetch' && (result === undefined || r === result), resolve }));
  }

  private notify(kind: string, issuer: string, result?: string): void {
    const ready = this.waiters.filter((w) => w.match(kind, issuer, result));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** Authenticators made here are closed after each test by `closeAll`. */
const open: Authenticator[] = [];

export function authenticator(auth: AuthConfig, events?: AuthnEvents, deps?: AuthnDeps): Authenticator {
  const a = createAuthenticator(auth, events, deps);
  open.push(a);
  return a;
}

export function closeAll(): void {
  for (const a of open.splice(0)) a.close();
}

/** Standard claims valid at the clock's time. */
export function claims(clock: Clock, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'user-123', iss: ISS, aud: AUD, iat: clock.seconds, exp: clock.seconds + 900, ...extra };
}
