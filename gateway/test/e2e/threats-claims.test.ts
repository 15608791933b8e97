// docs/threats.md family 3 — claims, over real sockets. Every token here is correctly signed with the
// issuer's own secret: only its claims decide. Payload JSON is written by hand where a signing
// library would refuse or normalise it (1e400, duplicate members).
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { hs256Config, TEST_ISSUER, TEST_SECRET } from '../support/gateway.js';
import { epochSeconds, hs256SignRaw } from '../support/tokens.js';
import { useGateway, useUpstream, withGateway } from '../support/suite.js';
import { call, expectDenial } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));

const HEADER = JSON.stringify({ alg: 'HS256', typ: 'JWT' });

/** Claims of a valid token for `sub`; `extra` overrides, `undefined` removes. */
function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = epochSeconds();
  const out: Record<string, unknown> = { iss: TEST_ISSUER, aud: TEST_ISSUER, sub: 'alice', iat: now, exp: now + 900 };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

function sign(payload: Record<string, unknown> | string): string {
  return hs256SignRaw(HEADER, typeof payload === 'string' ? payload : JSON.stringify(payload), TEST_SECRET);
}

function get(path: string, token: string) {
  return call(gateway.url, { path, headers: { authorization: `Bearer ${token}` } });
}

async function expectRefused(token: string, path = '/api/alice/tasks', reason = 'invalid_token'): Promise<void> {
  const reply = await get(path, token);
  expectDenial(reply, 401, reason);
  expect(reply.headers['www-authenticate']).toContain('error="invalid_token"');
  expect(upstream.requests).toHaveLength(0);
}

async function expectForwarded(token: string, path = '/api/alice/tasks'): Promise<Record<string, string | string[] | undefined>> {
  const reply = await get(path, token);
  expect(reply.status, reply.text).toBe(200);
  expect(upstream.requests).toHaveLength(1);
  return upstream.requests[0]!.headers;
}

describe('time claims (clock_tolerance 30s)', () => {
  const now = () => epochSeconds();

  it('a token that expired a minute ago → 401 token_expired', async () => {
    await expectRefused(sign(claims({ exp: now() - 60 })), undefined, 'token_expired');
  });

  it('one that expired 10s ago, inside the tolerance, is still accepted', async () => {
    await expectForwarded(sign(claims({ exp: now() - 10 })));
  });

  it('nbf two minutes ahead → 401', async () => {
    await expectRefused(sign(claims({ nbf: now() + 120 })));
  });

  it('iat two minutes ahead (issued in the future) → 401', async () => {
    await expectRefused(sign(claims({ iat: now() + 120 })));
  });

  it('no exp at all → 401', async () => {
    await expectRefused(sign(claims({ exp: undefined })));
  });

  const badExp: Array<[string, string]> = [
    ['exp as a string', '"9999999999"'],
    ['exp of 1e400 (Infinity once parsed)', '1e400'],
    ['exp of 1e300 (finite but absurd)', '1e300'],
    ['exp null', 'null'],
    ['exp true', 'true'],
    ['exp an array', '[9999999999]'],
  ];
  for (const [name, expJson] of badExp) {
    it(`${name} → 401`, async () => {
      const t = now();
      await expectRefused(sign(`{"iss":"${TEST_ISSUER}","aud":"${TEST_ISSUER}","sub":"alice","iat":${t},"exp":${expJson}}`));
    });
  }

  it('exp negative → 401 (expired or invalid: either way refused)', async () => {
    const t = now();
    const reply = await get('/api/alice/tasks', sign(`{"iss":"${TEST_ISSUER}","aud":"${TEST_ISSUER}","sub":"alice","iat":${t},"exp":-1}`));
    expect(reply.status).toBe(401);
    expect(['invalid_token', 'token_expired']).toContain((JSON.parse(reply.text) as { reason: string }).reason);
    expect(upstream.requests).toHaveLength(0);
  });

  it('nbf or iat that is not a finite number → 401', async () => {
    for (const bad of ['"0"', '1e400', '-1e400', 'null']) {
      const t = now();
      await expectRefused(sign(`{"iss":"${TEST_ISSUER}","aud":"${TEST_ISSUER}","sub":"alice","nbf":${bad},"exp":${t + 900}}`));
      await expectRefused(sign(`{"iss":"${TEST_ISSUER}","aud":"${TEST_ISSUER}","sub":"alice","iat":${bad},"exp":${t + 900}}`));
    }
  });

  it('a duplicate exp member does not let a later, larger value win over an expired one', async () => {
    // JSON.parse keeps the last member; whatever the verifier reads, it must be one consistent value.
    const t = now();
    const reply = await get('/api/alice/tasks', sign(`{"iss":"${TEST_ISSUER}","aud":"${TEST_ISSUER}","sub":"alice","exp":${t + 900},"exp":${t - 3600}}`));
    expect(reply.status).toBe(401);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the subject claim', () => {
  it('missing → 401', async () => {
    await expectRefused(sign(claims({ sub: undefined })));
  });

  it('a number does not equal the path segment "123"', async () => {
    await expectRefused(sign(claims({ sub: 123 })), '/api/123/tasks');
  });

  it('an array does not equal its only element', async () => {
    await expectRefused(sign(claims({ sub: ['alice'] })));
  });

  it('an object, true or null → 401', async () => {
    for (const sub of [{ id: 'alice' }, true, null]) await expectRefused(sign(claims({ sub })));
  });

  const badSubjects: Array<[string, string, string]> = [
    ['empty', '', '/api/alice/tasks'],
    // (a path spelling the same subject, /api/alice%2Fbob/tasks, is already a 400 ambiguous_path)
    ['with /', 'alice/bob', '/api/alice/tasks'],
    ['exactly ..', '..', '/api/alice/tasks'],
    ['exactly .', '.', '/api/alice/tasks'],
    ['with \\', 'alice\\bob', '/api/alice/tasks'],
    ['with %', 'alice%2f', '/api/alice/tasks'],
    ['with a space', 'ali ce', '/api/ali%20ce/tasks'],
    ['with a NUL', 'alice\u0000', '/api/alice/tasks'],
    ['with CR/LF and a header', 'alice\r\nx-user-id: bob', '/api/alice/tasks'],
    ['with a tab', 'ali\tce', '/api/alice/tasks'],
    ['with non-ASCII', 'alicé', '/api/alic%C3%A9/tasks'],
    ['256 bytes long', 'a'.repeat(256), `/api/${'a'.repeat(256)}/tasks`],
  ];
  for (const [name, sub, path] of badSubjects) {
    it(`${name} → 401`, async () => {
      await expectRefused(sign(claims({ sub })), path);
    });
  }

  it('a subject hidden behind __proto__ is not a subject', async () => {
    const t = epochSeconds();
    await expectRefused(sign(`{"iss":"${TEST_ISSUER}","aud":"${TEST_ISSUER}","__proto__":{"sub":"alice"},"exp":${t + 900}}`));
  });

  it('255 bytes of visible ASCII is a valid subject', async () => {
    const sub = 'a'.repeat(255);
    const headers = await expectForwarded(sign(claims({ sub })), `/api/${sub}/tasks`);
    expect(headers['x-user-id']).toBe(sub);
  });
});

describe('issuer and audience', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['wrong iss', { iss: 'https://evil.test' }],
    ['iss differing only in a trailing slash', { iss: `${TEST_ISSUER}/` }],
    ['iss in another case', { iss: TEST_ISSUER.toUpperCase() }],
    ['missing iss', { iss: undefined }],
    ['iss as a list', { iss: [TEST_ISSUER] }],
    ['wrong aud', { aud: 'https://evil.test' }],
    ['missing aud', { aud: undefined }],
    ['aud list without ours', { aud: ['https://a.test', 'https://b.test'] }],
  ];
  for (const [name, extra] of cases) {
    it(`${name} → 401`, async () => {
      await expectRefused(sign(claims(extra)));
    });
  }

  it('an aud list that includes ours is accepted', async () => {
    await expectForwarded(sign(claims({ aud: ['https://other.test', TEST_ISSUER] })));
  });
});

describe('claims copied into identity headers are never injected', () => {
  it('an email with CR/LF is left out, and no header it spells reaches the upstream', async () => {
    const headers = await expectForwarded(sign(claims({ email: 'alice@example.com\r\nx-user-id: bob\r\nx-injected: yes' })));
    expect(headers['x-user-email']).toBeUndefined();
    expect(headers['x-injected']).toBeUndefined();
    expect(headers['x-user-id']).toBe('alice');
    expect(upstream.headerValues(upstream.requests[0]!, 'x-user-id')).toEqual(['alice']);
  });

  it('an email with a bare LF, a NUL or non-ASCII is left out', async () => {
    for (const email of ['a@example.com\nx-injected: yes', 'a@example.com\u0000', 'ålice@example.com']) {
      upstream.reset();
      const headers = await expectForwarded(sign(claims({ email })));
      expect(headers['x-user-email'], JSON.stringify(email)).toBeUndefined();
      expect(headers['x-injected']).toBeUndefined();
    }
  });

  it('an email that is an object, a list, or longer than 1024 bytes is left out', async () => {
    for (const email of [{ a: 1 }, ['a@example.com', 'b@example.com'], `${'a'.repeat(1020)}@example.com`]) {
      upstream.reset();
      const headers = await expectForwarded(sign(claims({ email })));
      expect(headers['x-user-email']).toBeUndefined();
    }
  });

  it('a plain email is passed on (the control)', async () => {
    const headers = await expectForwarded(sign(claims({ email: 'alice@example.com' })));
    expect(headers['x-user-email']).toBe('alice@example.com');
  });
});

describe('hostile JSON in an unverified token', () => {
  it('deeply nested header or payload, and a huge number of members → 401, the gateway still serves', async () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const many = `{${Array.from({ length: 1_200 }, (_, i) => `"k${i}":0`).join(',')},"sub":"alice"}`;
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const forged = [
      `${b64(`{"alg":"HS256","x":${deep}}`)}.${b64(JSON.stringify(claims()))}.AAAA`,
      `${b64('{"alg":"HS256"}')}.${b64(`{"iss":${deep}}`)}.AAAA`,
      `${b64('{"alg":"HS256"}')}.${b64(many)}.AAAA`,
      `${b64('{"alg":"HS256","__proto__":{"alg":"none"}}')}.${b64(JSON.stringify(claims()))}.AAAA`,
    ];
    for (const token of forged) await expectRefused(token);
    await expectForwarded(sign(claims()));
  });
});

describe('the verified-token cache', () => {
  it('never outlives exp: a token served from the cache a moment ago is refused once it expires', async () => {
    await withGateway(hs256Config(upstream.url).replace('auth:\n  issuers:', 'auth:\n  clock_tolerance: 0s\n  issuers:'), async (strict) => {
      // exp has one-second granularity: keep at least 300 ms of validity for the two requests.
      const expMs = (Math.floor((Date.now() + 1_300) / 1_000)) * 1_000;
      const token = sign(claims({ exp: expMs / 1_000 }));
      const get = () => call(strict.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200); // verified once, then from the cache
      // Waiting for the token's own expiry is the behaviour under test.
      await delay(Math.max(0, expMs - Date.now()) + 20);
      expectDenial(await get(), 401, 'token_expired');
      expect(upstream.requests).toHaveLength(2);
    });
  });
});
