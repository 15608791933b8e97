// --check-config must refuse exactly what start refuses, and accept what the contract allows.
import { describe, expect, it } from 'vitest';
import { call } from '../support/threat-kit.js';
import { startTestGateway } from '../support/gateway.js';
import { startRecordingUpstream } from '../support/recording-upstream.js';
import { epochSeconds, generateTestKeyPair, signToken, startJwksServer } from '../support/tokens.js';
import { base, expectProblem, load, yamlOf } from './helpers.js';

describe('config rules that start depends on', () => {
  it('refuses two routes on the same path even with different methods (the route compiler would refuse to start)', () => {
    const tree = base();
    tree['routes'] = [
      { path: '/pub', methods: ['GET'], public: true },
      { path: '/pub', methods: ['POST'] },
    ];
    expectProblem(tree, 'routes[1].path', /same paths as routes\[0\]/);
  });

  it('accepts a 32-byte secret for HS384 (the contract\'s floor) with a warning pointing at RFC 7518', () => {
    const tree = base();
    tree['auth'].issuers = [{ name: 's', secret: '${S}', issuer: 'https://i', audience: 'https://a', algorithms: ['HS384'] }];
    const { config, warnings } = load(tree, { S: 'x'.repeat(40) });
    expect(config.auth.issuers[0]!.algorithms).toEqual(['HS384']);
    expect(warnings.join('\n')).toMatch(/RFC 7518 .* at least 48 bytes for HS384/);
    expectProblem(tree, 'auth.issuers[0].secret', /at least 32 bytes/, { S: 'x'.repeat(31) });
  });

  it('sets x-user-id and x-user-email from sub and email by default', () => {
    expect(load(base()).config.identityHeaders).toEqual([['x-user-id', 'sub'], ['x-user-email', 'email']]);
  });
});

describe('auth.jwks_cache: 1d with nothing else set (jwks_max_stale counts from when the keys go stale)', () => {
  it('passes --check-config without a word, and the gateway starts with it and verifies a token', async () => {
    const pair = await generateTestKeyPair('EdDSA');
    const [jwks, upstream] = await Promise.all([startJwksServer([pair]), startRecordingUpstream()]);
    try {
      const tree = base();
      tree['listen'] = { host: '127.0.0.1', port: 0 };
      tree['admin'] = { host: '127.0.0.1', port: 0 };
      tree['upstream'].url = upstream.url;
      tree['auth'].issuers[0].jwks_url = jwks.url;
      tree['auth'].jwks_cache = '1d';
      const { config, warnings } = load(tree);
      expect(warnings).toEqual([]);
      expect(config.auth).toMatchObject({ jwksCacheMs: 86_400_000, jwksMaxStaleMs: 3_600_000 });

      const gateway = await startTestGateway(yamlOf(tree));
      try {
        expect((await call(gateway.adminUrl, { path: '/readyz' })).status).toBe(200);
        const now = epochSeconds();
        const token = await signToken({ iss: 'https://idp.example.com', aud: 'https://api.example.com', sub: 'alice', iat: now, exp: now + 600 }, { alg: 'EdDSA', key: pair.privateKey, kid: pair.kid });
        const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${token}` } });
        expect(reply.status, reply.text).toBe(200);
      } finally {
        await gateway.close();
      }
    } finally {
      await Promise.all([jwks.close(), upstream.close()]);
    }
  });
});

describe('public routes overlapping protected ones', () => {
  it('warns when a public template can match a protected route\'s paths, and stays quiet when they are distinct', () => {
    const tree = base();
    tree['routes'] = [
      { path: '/api/public/:x', methods: ['GET'], public: true },
      { path: '/api/:user_id/tasks', methods: ['GET'], owner: 'user_id' },
      { path: '/health', methods: ['GET'], public: true },
    ];
    const { warnings } = load(tree);
    expect(warnings.filter((w) => w.includes('public route'))).toEqual([expect.stringMatching(/^routes\[0\]\.path: public route \/api\/public\/:x can match .* \/api\/:user_id\/tasks/)]);
    tree['routes'][0].path = '/public/:x';
    expect(load(tree).warnings.filter((w) => w.includes('public route'))).toEqual([]);
  });
});
