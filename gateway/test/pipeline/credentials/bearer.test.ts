import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractBearer, hasAccessTokenParam, MAX_TOKEN_BYTES } from '../../../src/pipeline/credentials/index.js';

let jwt: string;
beforeAll(async () => {
  jwt = await new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!!'));
});

/** Node's rawHeaders: name, value, name, value, … */
function raw(...pairs: Array<[string, string]>): string[] {
  return pairs.flat();
}
const host: [string, string] = ['Host', 'gateway.test'];

function reasonOf(rawHeaders: string[], query = ''): string {
  const r = extractBearer(rawHeaders, query);
  return r.ok ? 'ok' : r.reason;
}

describe('extractBearer: accepted (THREATS family 1)', () => {
  const cases: Array<[what: string, header: (t: string) => [string, string]]> = [
    ['canonical', (t) => ['Authorization', `Bearer ${t}`]],
    ['lower-case header name', (t) => ['authorization', `Bearer ${t}`]],
    ['upper-case header name', (t) => ['AUTHORIZATION', `Bearer ${t}`]],
    ['lower-case scheme', (t) => ['Authorization', `bearer ${t}`]],
    ['upper-case scheme', (t) => ['Authorization', `BEARER ${t}`]],
    ['mixed-case scheme', (t) => ['Authorization', `bEaReR ${t}`]],
    ['leading and trailing OWS', (t) => ['Authorization', ` \t Bearer ${t} \t `]],
    ['several spaces after the scheme', (t) => ['Authorization', `Bearer    ${t}`]],
  ];
  it.each(cases)('%s', (_what, header) => {
    const r = extractBearer(raw(host, header(jwt), ['Accept', '*/*']), '?page=2');
    expect(r).toEqual({ ok: true, token: jwt });
  });

  it('accepts any three non-empty base64url parts (the verifier decides the rest)', () => {
    expect(extractBearer(raw(['Authorization', 'Bearer a.b.c']), '')).toEqual({ ok: true, token: 'a.b.c' });
    expect(extractBearer(raw(['Authorization', 'Bearer A-_9.z_-0.Q']), '')).toEqual({ ok: true, token: 'A-_9.z_-0.Q' });
  });

  it('accepts a token of exactly the maximum length', () => {
    const token = 'a.b.' + 'c'.repeat(MAX_TOKEN_BYTES - 4);
    expect(extractBearer(raw(['Authorization', `Bearer ${token}`]), '')).toEqual({ ok: true, token });
  });

  it('ignores query parameters that only look like access_token', () => {
    for (const q of ['?access_tokens=x', '?xaccess_token=x', '?access=x&token=y', '?a=access_token', '?access_token_x=1', '?access-token=x']) {
      expect(reasonOf(raw(['Authorization', `Bearer ${jwt}`]), q), q).toBe('ok');
    }
  });
});

describe('extractBearer: refused (THREATS family 1)', () => {
  const t = 'aaa.bbb.ccc';
  const cases: Array<[what: string, headers: Array<[string, string]>, query: string, reason: string]> = [
    ['no Authorization header', [host], '', 'missing_token'],
    ['no headers at all', [], '', 'missing_token'],
    ['token only in the query', [host], `?access_token=${t}`, 'missing_token'],
    ['token only in a cookie', [host, ['Cookie', `access_token=${t}; session=${t}`]], '', 'missing_token'],
    ['Proxy-Authorization is not Authorization', [['Proxy-Authorization', `Bearer ${t}`]], '', 'missing_token'],
    ['empty Authorization', [['Authorization', '']], '', 'missing_token'],
    ['whitespace Authorization', [['Authorization', '   ']], '', 'missing_token'],
    ['Basic scheme', [['Authorization', 'Basic YWxpY2U6c2VjcmV0']], '', 'missing_token'],
    ['Digest scheme', [['Authorization', 'Digest username="alice", realm="x", response="y"']], '', 'missing_token'],
    ['token without scheme', [['Authorization', t]], '', 'missing_token'],
    ['scheme with a prefix', [['Authorization', `XBearer ${t}`]], '', 'missing_token'],
    ['scheme with a suffix', [['Authorization', `Bearers ${t}`]], '', 'missing_token'],
    ['Bearer with no token', [['Authorization', 'Bearer']], '', 'invalid_token'],
    ['Bearer and a space', [['Authorization', 'Bearer ']], '', 'invalid_token'],
    ['Bearer and spaces', [['Authorization', 'Bearer     ']], '', 'invalid_token'],
    ['tab between scheme and token', [['Authorization', `Bearer\t${t}`]], '', 'invalid_token'],
    ['comma after the scheme', [['Authorization', `Bearer,${t}`]], '', 'invalid_token'],
    ['one part', [['Authorization', 'Bearer abc']], '', 'invalid_token'],
    ['two parts', [['Authorization', 'Bearer aaa.bbb']], '', 'invalid_token'],
    ['four parts', [['Authorization', 'Bearer aaa.bbb.ccc.ddd']], '', 'invalid_token'],
    ['five parts (JWE)', [['Authorization', 'Bearer aaa.bbb.ccc.ddd.eee']], '', 'invalid_token'],
    ['empty signature (alg none)', [['Authorization', 'Bearer aaa.bbb.']], '', 'invalid_token'],
    ['empty header part', [['Authorization', 'Bearer .bbb.ccc']], '', 'invalid_token'],
    ['empty payload part', [['Authorization', 'Bearer aaa..ccc']], '', 'invalid_token'],
    ['only dots', [['Authorization', 'Bearer ..']], '', 'invalid_token'],
    ['padding', [['Authorization', 'Bearer aaa.bbb.ccc==']], '', 'invalid_token'],
    ['standard base64 +', [['Authorization', 'Bearer aa+a.bbb.ccc']], '', 'invalid_token'],
    ['standard base64 /', [['Authorization', 'Bearer aaa.b/b.ccc']], '', 'invalid_token'],
    ['quoted token', [['Authorization', `Bearer "${t}"`]], '', 'invalid_token'],
    ['non-ASCII in token', [['Authorization', 'Bearer aaa.bbb.cc\u00e9']], '', 'invalid_token'],
    ['control char in token', [['Authorization', 'Bearer aaa.bbb.c\u0000c']], '', 'invalid_token'],
    ['token too long', [['Authorization', `Bearer a.b.${'c'.repeat(MAX_TOKEN_BYTES)}`]], '', 'invalid_token'],
    // More than one credential.
    ['two Authorization headers', [['Authorization', `Bearer ${t}`], ['Authorization', 'Bearer xxx.yyy.zzz']], '', 'multiple_credentials'],
    ['two identical Authorization headers', [['Authorization', `Bearer ${t}`], ['Authorization', `Bearer ${t}`]], '', 'multiple_credentials'],
    ['two headers in different case', [['authorization', `Bearer ${t}`], ['AuThOrIzAtIoN', `Bearer ${t}`]], '', 'multiple_credentials'],
    ['Bearer plus Basic headers', [['Authorization', 'Basic YWxpY2U6c2VjcmV0'], ['Authorization', `Bearer ${t}`]], '', 'multiple_credentials'],
    ['two empty Authorization headers', [['Authorization', ''], ['Authorization', '']], '', 'multiple_credentials'],
    ['Bearer a, Bearer b', [['Authorization', `Bearer ${t}, Bearer xxx.yyy.zzz`]], '', 'multiple_credentials'],
    ['Bearer a,Bearer b', [['Authorization', `Bearer ${t},Bearer xxx.yyy.zzz`]], '', 'multiple_credentials'],
    ['Bearer a b', [['Authorization', `Bearer ${t} xxx.yyy.zzz`]], '', 'multiple_credentials'],
    ['Bearer a<tab>b', [['Authorization', `Bearer ${t}\txxx.yyy.zzz`]], '', 'multiple_credentials'],
    ['Bearer a, Basic b', [['Authorization', `Bearer ${t}, Basic YWxpY2U6c2VjcmV0`]], '', 'multiple_credentials'],
    ['header plus access_token', [['Authorization', `Bearer ${t}`]], `?access_token=${t}`, 'multiple_credentials'],
    ['header plus access_token among others', [['Authorization', `Bearer ${t}`]], `?a=1&access_token=${t}&b=2`, 'multiple_credentials'],
    ['header plus empty access_token', [['Authorization', `Bearer ${t}`]], '?access_token=', 'multiple_credentials'],
    ['header plus bare access_token', [['Authorization', `Bearer ${t}`]], '?access_token', 'multiple_credentials'],
    ['bad header plus access_token', [['Authorization', 'Bearer ']], `?access_token=${t}`, 'multiple_credentials'],
    ['Basic header plus access_token', [['Authorization', 'Basic YWxpY2U6c2VjcmV0']], `?access_token=${t}`, 'multiple_credentials'],
    ['two headers plus access_token', [['Authorization', `Bearer ${t}`], ['Authorization', `Bearer ${t}`]], `?access_token=${t}`, 'multiple_credentials'],
  ];
  it.each(cases)('%s → %s', (_what, headers, query, reason) => {
    expect(reasonOf(raw(...headers), query)).toBe(reason);
  });

  it('never puts the token in a denial', () => {
    const secretish = 'c2VjcmV0LXRva2Vu';
    for (const value of [`Bearer ${secretish}`, `Bearer ${secretish}.x`, `Bearer ${secretish} ${secretish}`, `Bearer a.b.${secretish}${'x'.repeat(MAX_TOKEN_BYTES)}`]) {
      const r = extractBearer(raw(['Authorization', value]), '');
      expect(r.ok).toBe(false);
      expect(JSON.stringify(r)).not.toContain(secretish);
    }
  });
});

describe('hasAccessTokenParam', () => {
  const yes = [
    '?access_token=x',
    '?access_token',
    '?access_token=',
    'access_token=x',
    '?a=1&access_token=x',
    '?a=1;access_token=x',
    '?access_token=x&access_token=y',
    '?ACCESS_TOKEN=x',
    '?Access_Token=x',
    '?access%5Ftoken=x',
    '?access%5ftoken=x',
    '?%61ccess_token=x',
    '?access_token[]=x',
    '?access_token[0]=x',
    '?access_token%5B%5D=x',
    '?&&access_token=x',
    '?a=access_token&access_token',
    // PHP's reading of names: `.`, space and an unclosed `[` are `_`, leading spaces dropped, NUL ends it.
    '?access.token=x',
    '?access+token=x',
    '?access%20token=x',
    '?access[token=x',
    '?access%5Btoken=x',
    '?+access_token=x',
    '?%20%20access_token=x',
    '?access%2Etoken=x',
    '?access_token%00x=1',
    '?ACCESS.TOKEN=x',
    '?access.token[x]=1',
  ];
  it.each(yes)('%s → true', (q) => expect(hasAccessTokenParam(q)).toBe(true));

  const no = [
    '',
    '?',
    '?a=1',
    '?x=access_token',
    '?access_token%3Dx',
    '?access_tokens=x',
    '?access_toke=x',
    '?access-token=x',
    '?access[token]=x',
    '?access[tok]en=x',
    '?%00access_token=x',
    '?[access_token=x',
    '?access_token]=x',
    '?_access_token=x',
    '?access%252Etoken=x',
    '?xaccess_token=x',
    '?access_token%26=1',
    '?token=x',
    '?a=b%26access_token%3Dx',
    '?access%5gtoken=x',
  ];
  it.each(no)('%s → false', (q) => expect(hasAccessTokenParam(q)).toBe(false));
});
