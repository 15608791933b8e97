// docs/threats.md family 4 (keys): a JWKS that lists more than MAX_JWKS_KEYS (100) keys, over
// real sockets. Only the first 100 (in document order) are read: a token signed with a key past
// them is refused like any unknown key, nothing is forwarded, and the gateway logs one warning
// naming the issuer, not one per refetch of the same set.
import { describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { MAX_JWKS_KEYS } from '../../src/pipeline/authn/index.js';
import { eventually } from '../support/eventually.js';
import { generateTestKeyPair, startJwksServer } from '../support/tokens.js';
import { useGateway, useServer, useUpstream } from '../support/suite.js';
import { call, expectDenial, jwksAndSecretConfig, keyPairToken } from '../support/threat-kit.js';

const [early, late, filler] = await Promise.all([generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA')]);
/** 150 keys: `early` at index 0, `late` at index 120, fillers with their own kids between. */
const published: JWK[] = Array.from({ length: 150 }, (_, i) => (i === 0 ? early.publicJwk : i === 120 ? late.publicJwk : { ...filler.publicJwk, kid: `filler-${i}` }));

const upstream = useUpstream();
const jwks = useServer(() => startJwksServer(published), 'the JWKS server');
const gateway = useGateway(() => jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: jwks.url, jwksAlgorithms: ['EdDSA'], authExtra: '  jwks_cooldown: 100ms' }));

const ignoredWarnings = () => gateway.logs.filter((line) => line['msg'] === `key set lists 150 keys: only the first ${MAX_JWKS_KEYS} are read`);

describe(`a JWKS with 150 keys (more than ${MAX_JWKS_KEYS})`, () => {
  it('a token of a key among the first 100 is forwarded', async () => {
    const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${await keyPairToken(early, 'alice')}` } });
    expect(reply.status, reply.text).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });

  it('a token of a key past them → 401 invalid_token, nothing forwarded, even after a refetch', async () => {
    const token = await keyPairToken(late, 'alice');
    const fetchesBefore = jwks.requests;
    // Each refusal may trigger a refetch (one per 100 ms cooldown); ask until one has happened.
    await eventually(
      async () => {
        expectDenial(await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${token}` } }), 401, 'invalid_token');
        return jwks.requests;
      },
      (requests) => requests > fetchesBefore,
    );
    expect(upstream.requests).toEqual([]);
  });

  it('is one warning naming the issuer, with the counts, however often the same set is fetched', () => {
    expect(jwks.requests).toBeGreaterThanOrEqual(2);
    const warnings = ignoredWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, issuer: 'key-pairs', keys_listed: 150, keys_read: MAX_JWKS_KEYS });
  });
});
