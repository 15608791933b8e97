// What a reload reuses and what it rebuilds, in a real gateway over real sockets: key sets of
// unchanged issuers are kept (no refetch), a changed issuer's keys are fetched before it serves,
// a key endpoint that fails keeps the running config, and a changed upstream gets a new pool
// while requests in flight finish on the old one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { parseConfig, type GatewayConfig } from '../../src/gateway-config.js';
import { startTestGateway, testEnv, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { jwksAndSecretConfig, JWKS_ISSUER, keyPairToken } from '../support/threat-kit.js';
import { generateTestKeyPair, startJwksServer, type JwksServer, type TestKeyPair } from '../support/tokens.js';

let upstream: RecordingUpstream;
let other: RecordingUpstream;
let jwks: JwksServer;
let pair: TestKeyPair;
let gateway: TestGateway | undefined;

beforeAll(async () => {
  pair = await generateTestKeyPair('EdDSA');
  [upstream, other, jwks] = await Promise.all([startRecordingUpstream(), startRecordingUpstream(), startJwksServer([pair])]);
});
afterAll(async () => {
  await Promise.all([upstream?.close(), other?.close(), jwks?.close()]);
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  upstream.reset();
  jwks.setMode('ok');
});

const yaml = (options: { upstreamUrl?: string; extra?: string; audience?: string } = {}) => {
  const text = jwksAndSecretConfig({ upstreamUrl: options.upstreamUrl ?? upstream.url, jwksUrl: jwks.url, ...(options.extra ? { extra: options.extra } : {}) });
  return options.audience ? text.replace(`audience: ${JWKS_ISSUER}\n      algorithms: [EdDSA`, `audience: [${JWKS_ISSUER}, ${options.audience}]\n      algorithms: [EdDSA`) : text;
};
const configOf = (text: string): GatewayConfig => parseConfig(text, testEnv).config;

async function reload(text: string) {
  const result = await gateway!.gateway.prepareReload(configOf(text));
  if (result.ok) result.prepared.commit();
  return result;
}

async function status(path: string, token: string): Promise<number> {
  const res = await request(`${gateway!.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.body.dump();
  return res.statusCode;
}

describe('key sets across a reload', () => {
  it('keeps the key set of an unchanged issuer, even when another issuer changes', async () => {
    gateway = await startTestGateway(yaml(), testEnv);
    const fetches = jwks.requests;
    const token = await keyPairToken(pair, 'alice');
    const before = gateway.gateway.authenticator;

    // auth is unchanged: the whole authenticator (and its token cache) stays.
    expect(await reload(yaml({ extra: 'realm: other' }))).toMatchObject({ ok: true, prepared: { changed: ['realm'] } });
    expect(gateway.gateway.authenticator).toBe(before);

    // The shared-secret issuer changes: a new authenticator adopts the JWKS issuer's key set as it is.
    const changed = yaml().replace(`audience: https://issuer.test`, 'audience: https://elsewhere.test');
    expect(await reload(changed)).toMatchObject({ ok: true, prepared: { changed: ['auth', 'realm'] } });
    expect(gateway.gateway.authenticator).not.toBe(before);
    expect(gateway.gateway.authenticator.issuers[0]).toBe(before.issuers[0]);
    expect(await status('/api/alice/tasks', token)).toBe(200);
    expect(jwks.requests).toBe(fetches);
    // …and the secret issuer's new rule applies.
    expect(await status('/api/alice/tasks', await hs256Token('alice'))).toBe(401);
  });

  it('fetches a changed issuer\'s keys before the new config serves', async () => {
    gateway = await startTestGateway(yaml(), testEnv);
    const fetches = jwks.requests;
    const result = await reload(yaml({ audience: 'https://second.test' }));
    expect(result.ok).toBe(true);
    expect(jwks.requests).toBe(fetches + 1);
    expect(gateway.gateway.authenticator.ready()).toBe(true);
    expect(await status('/api/alice/tasks', await keyPairToken(pair, 'alice', { aud: 'https://second.test' }))).toBe(200);
  });

  it('fails the reload when a changed issuer\'s keys cannot be fetched, and keeps serving the old config', async () => {
    gateway = await startTestGateway(yaml(), testEnv);
    const before = gateway.gateway.authenticator;
    jwks.setMode('down');
    const result = await reload(yaml({ audience: 'https://second.test' }));
    expect(result).toEqual({ ok: false, problems: [{ path: 'auth.issuers[0].jwks_url', message: expect.stringContaining('the running config stays') }] });
    expect(gateway.gateway.authenticator).toBe(before);
    jwks.setMode('ok');
    expect(await status('/api/alice/tasks', await keyPairToken(pair, 'alice'))).toBe(200);
    expect(await status('/api/alice/tasks', await keyPairToken(pair, 'alice', { aud: 'https://second.test' }))).toBe(401);
  });
});

describe('the upstream pool across a reload', () => {
  it('is replaced when upstream changes, with requests in flight finishing on the old one', async () => {
    gateway = await startTestGateway(yaml(), testEnv);
    const token = await hs256Token('alice');
    let release: () => void = () => {};
    upstream.respondWith((_req, res) => new Promise<void>((resolve) => {
      release = () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('from the old upstream');
        resolve();
      };
    }));
    const arrived = upstream.nextRequest();
    const inFlight = request(`${gateway.url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}` } });
    await arrived;

    expect(await reload(yaml({ upstreamUrl: other.url }))).toMatchObject({ ok: true, prepared: { changed: ['upstream'] } });
    const served = other.requests.length;
    expect(await status('/api/alice/tasks', token)).toBe(200);
    expect(other.requests).toHaveLength(served + 1);

    release();
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('from the old upstream');
  });

  it('refuses a change to a key that needs a restart before building anything', async () => {
    gateway = await startTestGateway(yaml(), testEnv);
    const result = await gateway.gateway.prepareReload(configOf(yaml({ extra: 'workers: 4' })));
    expect(result).toEqual({ ok: false, problems: [{ path: 'workers', message: expect.stringContaining('restart') }] });
  });
});
