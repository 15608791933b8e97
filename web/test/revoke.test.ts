// lib/revoke.ts against a real HTTP server standing in for the gateway's admin API: what it
// sends (method, path, bearer, body), and how it handles refusals, 503s and an absent gateway.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRevoker, readRevocationSettings, RevocationError, type Logger } from '../lib/revoke.js';
import { startFakeAdminApi, type FakeAdminApi } from './support/admin-api.js';
import { freePort } from './support/free-port.js';

const ADMIN_TOKEN = randomBytes(32).toString('base64url');

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => void lines.push(`warn ${m}`), error: (m) => void lines.push(`error ${m}`) };
}

let admin: FakeAdminApi;

beforeAll(async () => {
  admin = await startFakeAdminApi();
});

afterAll(async () => {
  await admin?.close();
});

beforeEach(() => {
  admin.received.length = 0;
  admin.fallback = undefined;
});

function revoker(logger = capturingLogger(), adminUrl = admin.url, timeoutMs = 2_000) {
  return { logger, revoker: createRevoker({ adminUrl, adminToken: ADMIN_TOKEN, timeoutMs }, { logger, retryDelayMs: 1 }) };
}

describe('settings', () => {
  it('defaults to the local gateway admin port and no token (off)', () => {
    expect(readRevocationSettings({})).toEqual({ adminUrl: 'http://127.0.0.1:9090', adminToken: undefined, timeoutMs: 3_000 });
    expect(readRevocationSettings({ GATEWAY_ADMIN_URL: 'http://gateway:9090/ignored', GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN })).toMatchObject({
      adminUrl: 'http://gateway:9090',
      adminToken: ADMIN_TOKEN,
    });
  });

  it('refuses a token shorter than 32 bytes and a URL that is not http(s)', () => {
    expect(() => readRevocationSettings({ GATEWAY_ADMIN_TOKEN: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
    expect(() => readRevocationSettings({ GATEWAY_ADMIN_URL: 'ftp://127.0.0.1:9090' })).toThrow(/http/);
    expect(() => readRevocationSettings({ GATEWAY_ADMIN_URL: 'not a url' })).toThrow();
  });
});

describe('posting a revocation', () => {
  it('POSTs {sid} to /revocations with the admin bearer token and JSON, and returns the stored entry', async () => {
    const { revoker: r } = revoker();
    const entry = await r.post({ sid: 'session-1' });
    expect(admin.received).toEqual([
      { method: 'POST', path: '/revocations', authorization: `Bearer ${ADMIN_TOKEN}`, contentType: 'application/json', body: { sid: 'session-1' } },
    ]);
    expect(entry).toMatchObject({ sid: 'session-1', id: expect.any(String), created_at: expect.any(String), expires_at: expect.any(String) });
    expect(r.enabled).toBe(true);
  });

  it('revokeSubject sends {sub, before} with the given instant', async () => {
    const { revoker: r } = revoker();
    const before = new Date('2030-01-02T03:04:05.678Z');
    await r.revokeSubject('user-1', before);
    expect(admin.received.map((q) => q.body)).toEqual([{ sub: 'user-1', before: '2030-01-02T03:04:05.678Z' }]);
  });
});

describe('when the gateway does not store it', () => {
  it('sign-out: a 503 is logged (not thrown), tried once, and reported as not stored', async () => {
    const { revoker: r, logger } = revoker();
    admin.answerNext({ status: 503, body: { error: 'service_unavailable' } });
    expect(await r.revokeSession('session-2')).toBe(false);
    expect(admin.received).toHaveLength(1);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^error could not revoke the tokens of ended session session-2: .*revocation store.*until their exp/);
    expect(logger.lines.join('\n')).not.toContain(ADMIN_TOKEN);
  });

  it('account deletion: 503s are retried with the same entry, and a later 201 succeeds', async () => {
    const { revoker: r, logger } = revoker();
    admin.answerNext({ status: 503 }, { status: 503 });
    await r.revokeSubject('user-2', new Date('2030-01-01T00:00:00.000Z'));
    expect(admin.received).toHaveLength(3);
    for (const q of admin.received) expect(q.body).toEqual({ sub: 'user-2', before: '2030-01-01T00:00:00.000Z' });
    expect(logger.lines).toEqual([]);
  });

  it('account deletion: a gateway that keeps answering 503 makes it throw after 3 attempts', async () => {
    const { revoker: r, logger } = revoker();
    admin.fallback = () => ({ status: 503, body: { error: 'service_unavailable' } });
    const failure = await r.revokeSubject('user-3', new Date()).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RevocationError);
    expect(failure).toMatchObject({ status: 503, retryable: true });
    expect(admin.received).toHaveLength(3);
    expect(logger.lines).toEqual([expect.stringMatching(/^error could not revoke the tokens of user user-3 after 3 attempt/)]);
  });

  it('account deletion: a refused admin token (401) or a gateway without revocation (404) is not retried', async () => {
    for (const status of [401, 404]) {
      admin.received.length = 0;
      const { revoker: r, logger } = revoker();
      admin.answerNext({ status, body: { error: 'x' } });
      const failure = await r.revokeSubject('user-4', new Date()).catch((err: unknown) => err);
      expect(failure).toMatchObject({ name: 'RevocationError', status, retryable: false });
      expect(admin.received).toHaveLength(1);
      expect(logger.lines[0]).toMatch(status === 401 ? /refused GATEWAY_ADMIN_TOKEN/ : /no revocation endpoint/);
    }
  });

  it('an unreachable gateway is a retryable failure; sign-out logs it and carries on', async () => {
    const closedPort = await freePort();
    const { revoker: r, logger } = revoker(capturingLogger(), `http://127.0.0.1:${closedPort}`);
    expect(await r.revokeSession('session-5')).toBe(false);
    expect(logger.lines[0]).toMatch(/is unreachable/);
    const failure = await r.revokeSubject('user-5', new Date()).catch((err: unknown) => err);
    expect(failure).toMatchObject({ status: undefined, retryable: true });
  });

  it('a gateway that never answers is given up on after the timeout', async () => {
    const held: http.ServerResponse[] = [];
    const silent = http.createServer((_req, res) => void held.push(res));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const { revoker: r, logger } = revoker(capturingLogger(), url, 150);
      const started = Date.now();
      expect(await r.revokeSession('session-6')).toBe(false);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(logger.lines[0]).toMatch(/no answer within 150 ms/);
    } finally {
      for (const res of held) res.destroy();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a redirect is not followed (the bearer token stays with the gateway) and counts as a failure', async () => {
    const { revoker: r } = revoker();
    admin.answerNext({ status: 307, headers: { location: `${admin.url}/elsewhere` } });
    await expect(r.post({ jti: 'j' })).rejects.toMatchObject({ status: 307, retryable: false });
    expect(admin.received).toHaveLength(1);
  });
});

describe('without GATEWAY_ADMIN_TOKEN', () => {
  it('does nothing, says once that revocation is off, and never contacts the gateway', async () => {
    const logger = capturingLogger();
    const first = createRevoker({ adminUrl: admin.url, adminToken: undefined, timeoutMs: 1_000 }, { logger });
    const second = createRevoker({ adminUrl: admin.url, adminToken: undefined, timeoutMs: 1_000 }, { logger });
    expect(first.enabled).toBe(false);
    expect(await first.revokeSession('s')).toBe(false);
    await second.revokeSubject('u', new Date()); // resolves: nothing to do
    await expect(first.post({ sid: 's' })).rejects.toThrow(/revocation is off/);
    expect(admin.received).toEqual([]);
    expect(logger.lines).toEqual([expect.stringMatching(/^warn revocation is off: GATEWAY_ADMIN_TOKEN is not set/)]);
  });
});
