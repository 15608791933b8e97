// docs/threats.md family 7 (framing): transfer codings other than plain `chunked`, over raw sockets. Node's
// parser accepts `gzip, chunked` and removes only the chunked framing; forwarded, the upstream
// would read compressed bytes as plain ones. Refused with 501 unsupported_transfer_coding
// (RFC 9112 §6.1), before the token is even looked at, and nothing is forwarded.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, statusCodes } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const CRLF = '\r\n';
const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const alice = await hs256Token('alice');

const body = '{"title":"x"}';
const chunkedBody = `${body.length.toString(16)}${CRLF}${body}${CRLF}0${CRLF}${CRLF}`;

function post(codingLines: readonly string[], path = '/api/alice/tasks', auth = true): string {
  return rawRequest([`POST ${path} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, ...(auth ? [`Authorization: Bearer ${alice}`] : []), 'Content-Type: application/json', ...codingLines], chunkedBody);
}

describe('a transfer coding other than chunked → 501 unsupported_transfer_coding', () => {
  const cases: Array<[string, readonly string[]]> = [
    ['gzip, chunked', ['Transfer-Encoding: gzip, chunked']],
    ['deflate, chunked', ['Transfer-Encoding: deflate, chunked']],
    ['identity, chunked', ['Transfer-Encoding: identity, chunked']],
    ['an unknown coding with a parameter', ['Transfer-Encoding: x-custom;q=1, chunked']],
    ['GZIP in upper case', ['Transfer-Encoding: GZIP, Chunked']],
    ['gzip and chunked on two lines', ['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked']],
  ];
  for (const [name, lines] of cases) {
    it(name, async () => {
      const reply = await sendRaw(gateway.url, post([...lines, 'Connection: close']));
      expect(reply.status, reply.raw.slice(0, 200)).toBe(501);
      expect(JSON.parse(reply.body)).toMatchObject({ error: 'not_implemented', reason: 'unsupported_transfer_coding', message: 'Only the chunked transfer coding is supported.' });
      expect(reply.headers['x-request-id']).toBeTruthy();
      expect(upstream.requests).toEqual([]);
    });
  }

  it('also without a token, and on a public route: the framing is judged first', async () => {
    const noToken = await sendRaw(gateway.url, post(['Transfer-Encoding: gzip, chunked', 'Connection: close'], '/api/alice/tasks', false));
    expect(noToken.status).toBe(501);
    const publicRoute = await sendRaw(gateway.url, post(['Transfer-Encoding: gzip, chunked', 'Connection: close'], '/health', false));
    expect(publicRoute.status).toBe(501);
    expect(upstream.requests).toEqual([]);
  });

  it('the refused body is read by its framing: the next request on the connection is answered on its own', async () => {
    const next = rawRequest([`GET /api/alice/tasks?next HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Connection: close']);
    const reply = await sendRaw(gateway.url, post(['Transfer-Encoding: gzip, chunked']) + next);
    expect(statusCodes(reply.raw)).toEqual([501, 200]);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/api/alice/tasks?next']);
  });
});

describe('plain chunked still passes', () => {
  for (const value of ['chunked', 'Chunked', ', chunked']) {
    it(JSON.stringify(value), async () => {
      const reply = await sendRaw(gateway.url, post([`Transfer-Encoding: ${value}`, 'Connection: close']));
      expect(reply.status, reply.raw.slice(0, 200)).toBe(200);
      expect(upstream.requests.map((r) => r.body.toString('utf8'))).toEqual([body]);
    });
  }
});
