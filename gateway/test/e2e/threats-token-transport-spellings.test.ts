// docs/threats.md family 1 (token transport) — a second credential in the query, spelled so that PHP (and frameworks
// that read names as loosely) still sees `access_token`: `.`, space (`+`, `%20`) or an unclosed
// `[` for `_`, leading spaces, percent-encoding of any of those, a NUL that ends the name, and
// any letter case. Next to a header → 400 multiple_credentials; alone → 401 missing_token;
// the upstream gets nothing either way.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { call, expectDenial } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const token = await hs256Token('alice');

const TASKS = '/api/alice/tasks';

const spellings = [
  'access.token',
  'access+token',
  'access%20token',
  'access[token',
  '+access_token',
  '%20access_token',
  '++%20access.token',
  'access%2Etoken',
  'access%2etoken',
  'access%5Btoken',
  'access%5btoken',
  'access_token%00junk',
  'ACCESS.TOKEN',
  'Access[Token',
  'access.token[]',
  'access+token[0]',
];

describe('query spellings that normalise to access_token', () => {
  for (const name of spellings) {
    it(`?${name}= next to an Authorization header → 400 multiple_credentials`, async () => {
      const reply = await call(gateway.url, { path: `${TASKS}?page=1&${name}=${token}`, headers: { authorization: `Bearer ${token}` } });
      expectDenial(reply, 400, 'multiple_credentials');
      expect(reply.text).not.toContain(token);
      expect(upstream.requests).toEqual([]);
    });

    it(`?${name}= alone → 401 missing_token`, async () => {
      const reply = await call(gateway.url, { path: `${TASKS}?${name}=${token}` });
      expectDenial(reply, 401, 'missing_token');
      expect(upstream.requests).toEqual([]);
    });
  }
});

describe('names that only look similar are ordinary parameters', () => {
  for (const name of ['access[token]', 'access-token', 'access_tokens', 'xaccess.token', 'access%252Etoken', 'access.toke']) {
    it(`?${name}= with a valid header is forwarded as sent`, async () => {
      const reply = await call(gateway.url, { path: `${TASKS}?${name}=1`, headers: { authorization: `Bearer ${token}` } });
      expect(reply.status, reply.text).toBe(200);
      expect(upstream.requests.map((r) => r.url)).toEqual([`${TASKS}?${name}=1`]);
    });
  }
});
