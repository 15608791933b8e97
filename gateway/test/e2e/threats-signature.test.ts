// docs/threats.md family 2 — signature and header tricks, over real sockets to a gateway with a JWKS
// issuer (EdDSA, ES256, RS256) and a shared-secret issuer (HS256). Every forgery is refused with
// 401 invalid_token, never reaches the upstream, and nothing the token names (jku, x5u, a URL
// in kid) is ever fetched: a separate attacker server counts requests and must see none.
import { KeyObject } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { TEST_ISSUER, TEST_SECRET } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import {
  base64url,
  craftToken,
  epochSeconds,
  generateTestKeyPair,
  hs256SignRaw,
  signToken,
  startJwksServer,
  type TestKeyPair,
} from '../support/tokens.js';
import { useGateway, useServer, useUpstream } from '../support/suite.js';
import { call, expectDenial, JWKS_ISSUER, jwksAndSecretConfig, keyPairToken, signRawWithKeyPair } from '../support/threat-kit.js';

const [ed, es, rs, es384, evil] = await Promise.all([
  generateTestKeyPair('EdDSA'),
  generateTestKeyPair('ES256'),
  generateTestKeyPair('RS256'),
  generateTestKeyPair('ES384'),
  generateTestKeyPair('EdDSA', 'attacker-key'),
]);
const upstream = useUpstream();
// The issuer publishes an ES384 key too, but its algorithms do not include ES384.
const jwks = useServer(() => startJwksServer([ed, es, rs, es384]), 'the JWKS server');
// Serves the attacker's own key set: were any URL in a token followed, a forgery would verify.
const attacker = useServer(() => startJwksServer([evil]), 'the attacker\'s key server');
const gateway = useGateway(() => jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: jwks.url }));

const TASKS = '/api/alice/tasks';

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = epochSeconds();
  return { iss: JWKS_ISSUER, aud: JWKS_ISSUER, sub: 'alice', iat: now, exp: now + 900, ...extra };
}

async function expectForwardedAsAlice(token: string): Promise<void> {
  const reply = await call(gateway.url, { path: TASKS, headers: { authorization: `Bearer ${token}` } });
  expect(reply.status, reply.text).toBe(200);
  expect(upstream.requests).toHaveLength(1);
  expect(upstream.requests[0]!.headers['x-user-id']).toBe('alice');
}

async function expectRefused(token: string, path = TASKS): Promise<void> {
  const reply = await call(gateway.url, { path, headers: { authorization: `Bearer ${token}` } });
  expectDenial(reply, 401, 'invalid_token');
  expect(reply.headers['www-authenticate']).toContain('error="invalid_token"');
  expect(reply.text).not.toContain(token.split('.')[1]!);
  expect(upstream.requests).toHaveLength(0);
}

describe('genuine tokens (the controls every forgery below is measured against)', () => {
  for (const name of ['EdDSA', 'ES256', 'RS256'] as const) {
    it(`a ${name} token from the JWKS issuer is forwarded as alice`, async () => {
      const pair = { EdDSA: ed, ES256: es, RS256: rs }[name];
      await expectForwardedAsAlice(await keyPairToken(pair, 'alice'));
    });
  }
  it('an HS256 token from the shared-secret issuer is forwarded as alice', async () => {
    await expectForwardedAsAlice(await hs256Token('alice'));
  });
  it('a token signed by hand (the raw signer the forgeries use) is forwarded', async () => {
    await expectForwardedAsAlice(signRawWithKeyPair(JSON.stringify({ alg: 'EdDSA', kid: ed.kid }), JSON.stringify(claims()), ed));
  });
});

describe('alg none', () => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`"${alg}" with an empty signature`, async () => {
      await expectRefused(craftToken({ alg, typ: 'JWT' }, claims()));
    });
    it(`"${alg}" with a non-empty signature`, async () => {
      await expectRefused(craftToken({ alg, kid: ed.kid }, claims(), 'AAAA'));
    });
  }
});

describe('signature stripped, altered or borrowed; payload or header edited', () => {
  it('the signature stripped', async () => {
    const [h, p] = (await keyPairToken(ed, 'alice')).split('.');
    await expectRefused(`${h}.${p}.`);
  });

  it('one character of the signature changed', async () => {
    const token = await keyPairToken(ed, 'alice');
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    await expectRefused(`${h}.${p}.${flipped}`);
  });

  it('the signature of another genuine token', async () => {
    const other = (await keyPairToken(ed, 'bob')).split('.')[2];
    const [h, p] = (await keyPairToken(ed, 'alice', { email: 'a@example.com' })).split('.');
    await expectRefused(`${h}.${p}.${other}`);
  });

  it('the payload edited (sub alice → bob) to reach bob\'s tasks', async () => {
    const [h, , s] = (await keyPairToken(ed, 'alice')).split('.');
    await expectRefused(`${h}.${base64url(JSON.stringify(claims({ sub: 'bob' })))}.${s}`, '/api/bob/tasks');
  });

  it('the payload edited (exp extended) on an HS256 token', async () => {
    const [h, , s] = (await hs256Token('alice')).split('.');
    const now = epochSeconds();
    await expectRefused(`${h}.${base64url(JSON.stringify({ iss: TEST_ISSUER, aud: TEST_ISSUER, sub: 'alice', iat: now, exp: now + 86_400 }))}.${s}`);
  });

  it('the header edited (alg EdDSA → ES256) with the signature kept', async () => {
    const [, p, s] = (await keyPairToken(ed, 'alice')).split('.');
    await expectRefused(`${base64url(JSON.stringify({ alg: 'ES256', kid: es.kid }))}.${p}.${s}`);
  });
});

describe('key confusion: HS256 signed with a JWKS issuer\'s public key', () => {
  const publicKeyBytes = (pair: TestKeyPair): Array<[string, Buffer]> => {
    const key = KeyObject.from(pair.publicKey);
    const spkiPem = key.export({ type: 'spki', format: 'pem' });
    const out: Array<[string, Buffer]> = [
      ['SPKI PEM', Buffer.from(spkiPem)],
      ['SPKI DER', key.export({ type: 'spki', format: 'der' })],
      ['the published JWK as JSON', Buffer.from(JSON.stringify(pair.publicJwk))],
    ];
    if (pair.publicJwk.x) out.push(['the raw x coordinate', Buffer.from(pair.publicJwk.x, 'base64url')]);
    if (pair.publicJwk.kty === 'RSA') out.push(['the PKCS#1 PEM', Buffer.from(key.export({ type: 'pkcs1', format: 'pem' }))]);
    return out;
  };

  for (const pairName of ['EdDSA', 'RS256'] as const) {
    for (const iss of ['jwks', 'secret'] as const) {
      it(`${pairName} public key, iss of the ${iss === 'jwks' ? 'JWKS' : 'shared-secret'} issuer, every byte form of the key`, async () => {
        const pair = pairName === 'EdDSA' ? ed : rs;
        const issuer = iss === 'jwks' ? JWKS_ISSUER : TEST_ISSUER;
        for (const [, secret] of publicKeyBytes(pair)) {
          const token = hs256SignRaw(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: pair.kid }), JSON.stringify(claims({ iss: issuer, aud: issuer })), secret);
          await expectRefused(token);
        }
      });
    }
  }
});

describe('embedded keys and key URLs are never trusted or fetched', () => {
  const evilHeader = (extra: Record<string, unknown>) => signToken(claims(), { alg: 'EdDSA', key: evil.privateKey, kid: evil.kid, header: extra });

  it('an embedded jwk (the attacker\'s public key) with the attacker\'s kid', async () => {
    await expectRefused(await evilHeader({ jwk: { kty: evil.publicJwk.kty, crv: evil.publicJwk.crv, x: evil.publicJwk.x } }));
  });

  it('an embedded jwk under the genuine key\'s kid', async () => {
    const { kty, crv, x } = evil.publicJwk;
    await expectRefused(await signToken(claims(), { alg: 'EdDSA', key: evil.privateKey, kid: ed.kid, header: { jwk: { kty, crv, x, kid: ed.kid } } }));
  });

  it('a jku pointing at the attacker\'s key set', async () => {
    await expectRefused(await evilHeader({ jku: attacker.url }));
  });

  it('an x5u pointing at the attacker', async () => {
    await expectRefused(await evilHeader({ x5u: attacker.url.replace('jwks.json', 'cert.pem') }));
  });

  it('an x5c chain', async () => {
    await expectRefused(await evilHeader({ x5c: [Buffer.from('not really a certificate, but it would not matter').toString('base64')] }));
  });

  it('a kid that is the attacker\'s URL', async () => {
    await expectRefused(signRawWithKeyPair(JSON.stringify({ alg: 'EdDSA', kid: attacker.url }), JSON.stringify(claims()), evil));
  });

  it('…and the attacker\'s server never received a single request', () => {
    expect(attacker.requests).toBe(0);
  });
});

describe('odd kid values', () => {
  // Signed by the genuine key: only the kid is wrong, so only the kid can be why it is refused.
  // Functions: each case builds its kid when it runs.
  const oddKids: Array<[string, () => unknown]> = [
    ['a path traversal', () => '../../../../dev/null'],
    ['SQL', () => "' OR '1'='1"],
    ['a NUL byte', () => 'x\u0000'],
    ['CR/LF', () => 'a\r\nx-user-id: bob'],
    ['empty', () => ''],
    ['4 KiB long', () => 'k'.repeat(4096)],
    ['a number', () => 0],
    ['null', () => null],
    ['an object', () => ({ kid: 'x' })],
    ['an array holding the genuine kid', () => [ed.kid]],
    ['the genuine kid in another case', () => ed.kid.toUpperCase()],
    ['the genuine kid with a trailing space', () => `${ed.kid} `],
  ];
  for (const [name, kid] of oddKids) {
    it(name, async () => {
      await expectRefused(signRawWithKeyPair(JSON.stringify({ alg: 'EdDSA', kid: kid() }), JSON.stringify(claims()), ed));
    });
  }

  it('a kid that is not a string never makes the gateway fetch keys', async () => {
    const before = jwks.requests;
    for (const kid of [0, null, {}, [ed.kid], 'k'.repeat(4096)]) {
      await expectRefused(signRawWithKeyPair(JSON.stringify({ alg: 'EdDSA', kid }), JSON.stringify(claims()), ed));
    }
    expect(jwks.requests).toBe(before);
  });
});

describe('crit headers', () => {
  const critHeaders: Array<[string, Record<string, unknown>]> = [
    ['an unknown extension', { crit: ['x-must-understand'], 'x-must-understand': true }],
    ['b64=false (unencoded payload)', { crit: ['b64'], b64: false }],
    ['an empty crit list', { crit: [] }],
    ['crit naming a registered claim', { crit: ['exp'], exp: 1 }],
    ['crit that is not a list', { crit: 'x' }],
  ];
  for (const [name, extra] of critHeaders) {
    it(name, async () => {
      await expectRefused(signRawWithKeyPair(JSON.stringify({ alg: 'EdDSA', kid: ed.kid, ...extra }), JSON.stringify(claims()), ed));
    });
  }
});

describe('algorithms outside the issuer\'s allow-list', () => {
  it('ES384, signed by a key the issuer does publish', async () => {
    await expectRefused(await keyPairToken(es384, 'alice'));
  });

  it('PS256, signed by the issuer\'s RSA key', async () => {
    const token = signRawWithKeyPair(JSON.stringify({ alg: 'PS256', kid: rs.kid }), JSON.stringify(claims()), rs, 'PS256');
    // The signature itself is genuine: only the algorithm is why the gateway must refuse it.
    await expect(compactVerify(token, await importJWK({ ...rs.publicJwk, alg: 'PS256' }, 'PS256'))).resolves.toBeDefined();
    await expectRefused(token);
  });

  it('HS512 and HS384 with the shared secret (the secret issuer allows HS256 only)', async () => {
    for (const alg of ['HS384', 'HS512']) {
      await expectRefused(await signToken(claims({ iss: TEST_ISSUER, aud: TEST_ISSUER }), { alg, key: `${TEST_SECRET}${TEST_SECRET}` }));
      await expectRefused(await signToken(claims({ iss: TEST_ISSUER, aud: TEST_ISSUER }), { alg, key: TEST_SECRET }));
    }
  });

  it('HS256 with the shared secret but the JWKS issuer\'s iss', async () => {
    await expectRefused(await signToken(claims(), { alg: 'HS256', key: TEST_SECRET }));
  });

  it('an algorithm name no one knows', async () => {
    await expectRefused(craftToken({ alg: 'EdDSA256', kid: ed.kid }, claims(), 'AAAA'));
  });
});

describe('"psychic" ECDSA and other all-zero signatures', () => {
  it('ES256 with r = s = 0 (IEEE P1363, 64 zero bytes)', async () => {
    await expectRefused(craftToken({ alg: 'ES256', kid: es.kid }, claims(), new Uint8Array(64)));
  });

  it('ES256 with r = s = 0 in DER form', async () => {
    await expectRefused(craftToken({ alg: 'ES256', kid: es.kid }, claims(), Buffer.from('3006020100020100', 'hex')));
  });

  it('ES256 with r = s = the curve order n', async () => {
    const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
    await expectRefused(craftToken({ alg: 'ES256', kid: es.kid }, claims(), Buffer.concat([n, n])));
  });

  it('EdDSA with 64 zero bytes', async () => {
    await expectRefused(craftToken({ alg: 'EdDSA', kid: ed.kid }, claims(), new Uint8Array(64)));
  });

  it('RS256 with a zero signature of the modulus length', async () => {
    await expectRefused(craftToken({ alg: 'RS256', kid: rs.kid }, claims(), new Uint8Array(256)));
  });
});
