// The JWKS server the key-set suites (keys*.test.ts) share: a real socket serving keyA unless a
// test rotates it, switched between rotated, down, hanging and garbage; fetches are counted.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { AuthConfig } from '../../../src/config/types.js';
import type { Authenticator } from '../../../src/pipeline/authn/index.js';
import { generateTestKeyPair, signToken, startJwksServer, type JwksServer, type TestKeyPair } from '../../support/tokens.js';
import { authConfig, authenticator, claims, Clock, closeAll, EventLog, jwksIssuer } from './fixtures.js';

export const COOLDOWN = 5_000;

export interface KeyServer {
  readonly server: JwksServer;
  readonly keyA: TestKeyPair;
  readonly keyB: TestKeyPair;
  readonly keyC: TestKeyPair;
  readonly rsa: TestKeyPair;
}

/** Registers the suite's hooks; the fields are filled in before its first test. */
export function useKeyServer(): KeyServer {
  const shared = {} as { -readonly [K in keyof KeyServer]: KeyServer[K] };
  beforeAll(async () => {
    [shared.keyA, shared.keyB, shared.keyC, shared.rsa] = await Promise.all([
      generateTestKeyPair('EdDSA'),
      generateTestKeyPair('EdDSA'),
      generateTestKeyPair('EdDSA'),
      generateTestKeyPair('RS256'),
    ]);
    shared.server = await startJwksServer();
  });
  afterAll(() => shared.server.close());
  beforeEach(() => {
    shared.server.setKeys([shared.keyA]);
    shared.server.setMode('ok');
  });
  afterEach(closeAll);
  return shared;
}

/** One EdDSA JWKS issuer `ba` on `server`, on a test clock; fetches counted from now. */
export function keySetup(server: JwksServer, overrides: Partial<AuthConfig> = {}): { a: Authenticator; clock: Clock; events: EventLog; fetchesSince: () => number } {
  const clock = new Clock();
  const events = new EventLog();
  const a = authenticator(authConfig([jwksIssuer('ba', server.url, ['EdDSA'])], { jwksCooldownMs: COOLDOWN, ...overrides }), events, { now: clock.now });
  const start = server.requests;
  return { a, clock, events, fetchesSince: () => server.requests - start };
}

export const tokenFor = (key: TestKeyPair, clock: Clock, extra: Record<string, unknown> = {}, kid: string | undefined = key.kid): Promise<string> =>
  signToken(claims(clock, extra), { alg: key.alg, key: key.privateKey, ...(kid === undefined ? {} : { kid }) });
