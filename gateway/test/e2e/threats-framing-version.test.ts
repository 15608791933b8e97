// docs/threats.md family 7 (framing): request lines of an HTTP version other than 1.0 and 1.1,
// over raw sockets. Node's parser refuses most with a plain 400 (threats-framing.test.ts), but
// parses `HTTP/2.0` and `HTTP/0.9`: the gateway answers those 505 http_version_not_supported
// before anything else (no token needed, public routes too), closes the connection, and
// forwards nothing.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, statusCodes } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const alice = await hs256Token('alice');

function get(version: string, path = '/api/alice/tasks', auth = true): string {
  return rawRequest([`GET ${path} ${version}`, `Host: ${hostOf(gateway.url)}`, ...(auth ? [`Authorization: Bearer ${alice}`] : [])]);
}

describe('a version Node parses but the gateway does not serve → 505', () => {
  for (const version of ['HTTP/2.0', 'HTTP/0.9']) {
    it(`${version} with a valid token`, async () => {
      // No Connection: close from the client: sendRaw returns only because the gateway closes.
      const reply = await sendRaw(gateway.url, get(version));
      expect(statusCodes(reply.raw)).toEqual([505]);
      expect(JSON.parse(reply.body)).toMatchObject({ error: 'http_version_not_supported', reason: 'http_version_not_supported' });
      expect(reply.headers['connection']).toBe('close');
      expect(reply.headers['x-request-id']).toBeTruthy();
      expect(upstream.requests).toEqual([]);
    });
  }

  it('without a token and on a public route too: the version is judged first', async () => {
    for (const bytes of [get('HTTP/2.0', '/api/alice/tasks', false), get('HTTP/2.0', '/health', false), get('HTTP/2.0', '/nowhere', false)]) {
      const reply = await sendRaw(gateway.url, bytes);
      expect(reply.status, reply.raw.slice(0, 120)).toBe(505);
    }
    expect(upstream.requests).toEqual([]);
  });
});

describe('HTTP/1.0 and HTTP/1.1 are served', () => {
  for (const version of ['HTTP/1.0', 'HTTP/1.1']) {
    it(version, async () => {
      const reply = await sendRaw(gateway.url, rawRequest([`GET /api/alice/tasks ${version}`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Connection: close']));
      expect(reply.status).toBe(200);
      expect(upstream.requests).toHaveLength(1);
    });
  }
});
