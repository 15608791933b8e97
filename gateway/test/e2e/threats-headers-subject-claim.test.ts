// docs/threats.md family 6 (header spoofing): with auth.subject_claim other than `sub`, the user
// the owner rule checked must be the user the upstream is told about. With the default identity
// headers, x-user-id follows subject_claim; a written mapping that points x-user-id elsewhere is
// honoured as written, with a warning at start (config/identity-headers.test.ts).
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { useGateway, useUpstream, withGateway } from '../support/suite.js';
import { call, expectDenial } from '../support/threat-kit.js';

/** hs256Config with `subject_claim: uid` and the identity headers given (undefined: not written, the defaults). */
function uidConfig(upstreamUrl: string, identityHeaders?: string): string {
  const yaml = hs256Config(upstreamUrl)
    .replace('auth:\n', 'auth:\n  subject_claim: uid\n')
    .replace(/identity_headers:\n(  .*\n)+/, identityHeaders === undefined ? '' : `identity_headers:\n${identityHeaders}`);
  expect(yaml).toContain('subject_claim: uid');
  return yaml;
}

const upstream = useUpstream();
const gateway = useGateway(() => uidConfig(upstream.url));
/** Checked as alice (uid), but its sub names bob. */
const aliceByUid = await hs256Token('bob', { uid: 'alice', email: 'alice@example.com' });

describe('subject_claim: uid with the default identity headers', () => {
  it('{uid: alice, sub: bob} on alice\'s path: the upstream gets x-user-id: alice, the user who was checked', async () => {
    const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${aliceByUid}` } });
    expect(reply.status, reply.text).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.headerValues(upstream.requests[0]!, 'x-user-id')).toEqual(['alice']);
    expect(upstream.headerValues(upstream.requests[0]!, 'x-user-email')).toEqual(['alice@example.com']);
  });

  it('the same token on bob\'s path (its sub) → 403, nothing forwarded', async () => {
    expectDenial(await call(gateway.url, { path: '/api/bob/tasks', headers: { authorization: `Bearer ${aliceByUid}` } }), 403, 'user_mismatch');
    expect(upstream.requests).toEqual([]);
  });
});

describe('x-user-id written as another claim than subject_claim', () => {
  it('is honoured as written: a warning, not an error', async () => {
    await withGateway(uidConfig(upstream.url, '  x-user-id: sub\n'), async (gw) => {
      const reply = await call(gw.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${aliceByUid}` } });
      expect(reply.status).toBe(200);
      // As configured: the operator chose sub.
      expect(upstream.headerValues(upstream.requests[0]!, 'x-user-id')).toEqual(['bob']);
    });
  });
});
