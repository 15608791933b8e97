import { beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../../src/pipeline/authn/index.js';
import { createAuthenticator, type Authenticator } from '../../../src/pipeline/authn/index.js';
import { RevocationList } from '../../../src/pipeline/revocation/index.js';
import { createRevocation, type RevocationDraft } from '../../../src/store/revocation.js';
import { signToken, testSecret } from '../../support/tokens.js';
import { AUD, ISS, authConfig, secretIssuer } from '../authn/fixtures.js';

const secret = testSecret();
let authenticator: Authenticator;
beforeAll(() => {
  authenticator = createAuthenticator(authConfig([secretIssuer('s', secret)]));
});

const nowSeconds = Math.floor(Date.now() / 1000);

/** The identity the real verifier gives for a really signed token. */
async function identity(claims: Record<string, unknown>): Promise<Identity> {
  const token = await signToken({ iss: ISS, aud: AUD, sub: 'alice', exp: nowSeconds + 900, ...claims }, { alg: 'HS256', key: secret });
  const verified = await authenticator.verify(token);
  if (!verified.ok) throw new Error(`token refused: ${verified.reason}`);
  return verified.identity;
}

const RETENTION = 7 * 24 * 3600_000;
const entry = (draft: RevocationDraft, createdAtMs = Date.now()) => createRevocation(draft, createdAtMs, RETENTION);
const reasonOf = (list: RevocationList, who: Identity) => list.check(who)?.reason ?? 'ok';

describe('the revocation stage', () => {
  it('lets everything through while the list is empty', async () => {
    expect(reasonOf(new RevocationList(), await identity({ iat: nowSeconds }))).toBe('ok');
  });

  it('a sub entry revokes the subject\'s tokens issued at or before its cut-off, and only those', async () => {
    const list = new RevocationList();
    list.add(entry({ kind: 'sub', value: 'alice', beforeMs: nowSeconds * 1000 }));
    expect(reasonOf(list, await identity({ iat: nowSeconds - 60 }))).toBe('token_revoked');
    expect(reasonOf(list, await identity({ iat: nowSeconds }))).toBe('token_revoked'); // at = revoked
    expect(reasonOf(list, await identity({ iat: nowSeconds + 1 }))).toBe('ok'); // a later sign-in
    // No iat: the token cannot prove it came after, so it counts as before.
    expect(reasonOf(list, await identity({}))).toBe('token_revoked');
    expect(reasonOf(list, await identity({ sub: 'bob', iat: nowSeconds - 60 }))).toBe('ok');
    expect(reasonOf(list, await identity({ sub: 'Alice', iat: nowSeconds - 60 }))).toBe('ok'); // byte for byte
  });

  it('the newest cut-off of a subject wins, and removing it falls back to the next', async () => {
    const list = new RevocationList();
    const early = entry({ kind: 'sub', value: 'alice', beforeMs: (nowSeconds - 100) * 1000 });
    const late = entry({ kind: 'sub', value: 'alice', beforeMs: nowSeconds * 1000 });
    list.add(late);
    list.add(early);
    const between = await identity({ iat: nowSeconds - 50 });
    expect(reasonOf(list, between)).toBe('token_revoked');
    list.remove(late.id);
    expect(reasonOf(list, between)).toBe('ok');
    expect(reasonOf(list, await identity({ iat: nowSeconds - 200 }))).toBe('token_revoked');
    list.remove(early.id);
    expect(reasonOf(list, await identity({ iat: nowSeconds - 200 }))).toBe('ok');
    expect(list.size).toBe(0);
  });

  it('a jti entry revokes that one token; a sid entry every token of that session', async () => {
    const list = new RevocationList();
    list.add(entry({ kind: 'jti', value: 'token-1' }));
    list.add(entry({ kind: 'sid', value: 'session-9' }));
    expect(reasonOf(list, await identity({ iat: nowSeconds, jti: 'token-1' }))).toBe('token_revoked');
    expect(reasonOf(list, await identity({ iat: nowSeconds, jti: 'token-2' }))).toBe('ok');
    expect(reasonOf(list, await identity({ iat: nowSeconds, sid: 'session-9', jti: 'token-3' }))).toBe('token_revoked');
    expect(reasonOf(list, await identity({ iat: nowSeconds, sid: 'session-8' }))).toBe('ok');
    // A jti entry never matches a sid claim of the same value, nor a non-string claim.
    expect(reasonOf(list, await identity({ iat: nowSeconds, sid: 'token-1' }))).toBe('ok');
    expect(reasonOf(list, await identity({ iat: nowSeconds, jti: ['token-1'] }))).toBe('ok');
  });

  it('two entries for one jti: the token stays revoked until both are gone', async () => {
    const list = new RevocationList();
    const a = entry({ kind: 'jti', value: 'dup' });
    const b = entry({ kind: 'jti', value: 'dup' });
    list.add(a);
    list.add(b);
    list.add(a); // the same entry again (a pub/sub echo) is no second entry
    const who = await identity({ iat: nowSeconds, jti: 'dup' });
    list.remove(a.id);
    expect(reasonOf(list, who)).toBe('token_revoked');
    list.remove(b.id);
    expect(reasonOf(list, who)).toBe('ok');
  });

  it('replace swaps the whole set; prune drops expired entries only', async () => {
    const list = new RevocationList();
    list.add(entry({ kind: 'jti', value: 'old' }));
    const created = Date.now();
    const soon = createRevocation({ kind: 'sid', value: 's1' }, created, 1_000);
    const later = entry({ kind: 'sub', value: 'alice', beforeMs: nowSeconds * 1000 });
    list.replace([soon, later]);
    expect(reasonOf(list, await identity({ iat: nowSeconds, jti: 'old', sub: 'bob' }))).toBe('ok');
    expect(reasonOf(list, await identity({ iat: nowSeconds + 5, sid: 's1' }))).toBe('token_revoked');
    list.prune(created + 1_000);
    expect(list.size).toBe(1);
    expect(reasonOf(list, await identity({ iat: nowSeconds + 5, sid: 's1' }))).toBe('ok');
    expect(reasonOf(list, await identity({ iat: nowSeconds - 5 }))).toBe('token_revoked');
  });
});
