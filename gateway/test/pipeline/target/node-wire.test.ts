// The request module relies on what Node's HTTP parser hands over: `req.url` as sent (no
// normalisation, fragments and absolute-form included) and every header in `req.rawHeaders`
// (while `req.headers` keeps only the first Authorization). These tests send raw bytes over a
// real socket so that a Node upgrade changing either would be caught here.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBearer } from '../../../src/pipeline/credentials/index.js';
import { parseRequestTarget } from '../../../src/pipeline/target/index.js';

interface Seen {
  readonly url: string;
  readonly rawHeaders: string[];
  readonly headerAuthorization: string | undefined;
}

let server: Server;
let port: number;
const waiting: Array<(seen: Seen | undefined) => void> = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    waiting.shift()?.({ url: req.url ?? '', rawHeaders: req.rawHeaders, headerAuthorization: req.headers.authorization });
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

/** Send raw request bytes; resolve with what the handler saw, or undefined if Node refused them. */
async function send(head: string): Promise<Seen | undefined> {
  const seen = new Promise<Seen | undefined>((resolve) => waiting.push(resolve));
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(Buffer.from(head, 'latin1'));
  socket.resume();
  const closed = once(socket, 'close').then(() => undefined);
  const result = await Promise.race([seen, closed]);
  socket.destroy();
  if (result === undefined) waiting.pop();
  return result;
}

function request(target: string, ...headers: string[]): string {
  return `GET ${target} HTTP/1.1\r\nHost: gw.test\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;
}

describe('Node hands the target over unnormalised, and parseRequestTarget refuses the tricks', () => {
  const refused = [
    '/api/alice/../bob/tasks',
    '/api/alice/%2e%2e/bob/tasks',
    '/api/alice/.%2E/bob/tasks',
    '/api/alice%2fbob/tasks',
    '/api/alice%5Cbob/tasks',
    '/api/alice\\bob/tasks',
    '/api//alice/tasks',
    '/api/alice/tasks;jsessionid=x',
    '/api/alice/tasks%',
    '/api/alice/%zz/tasks',
    '/api/alice/%c0%ae%c0%ae/tasks',
    '/api/alice%00/tasks',
    '/api/alice/tasks#frag',
    'http://gw.test/api/alice/tasks',
    '/' + 'a'.repeat(3000),
  ];
  it.each(refused)('%s', async (target) => {
    const seen = await send(request(target));
    // Node passes every one of these on verbatim: refusing them is our job.
    expect(seen?.url).toBe(target);
    expect(parseRequestTarget(seen!.url)).toMatchObject({ ok: false, reason: 'ambiguous_path' });
  });

  it('refuses the asterisk-form target of OPTIONS *', async () => {
    const seen = await send('OPTIONS * HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n');
    expect(seen?.url).toBe('*');
    expect(parseRequestTarget(seen!.url)).toMatchObject({ ok: false, reason: 'ambiguous_path' });
  });

  it.each(['/api/caf\u00e9/tasks', '/api/a\u007fb'])('never sees a raw non-ASCII or DEL byte (%j): Node refuses it, and so would we', async (target) => {
    expect(await send(request(target))).toBeUndefined();
    expect(parseRequestTarget(target)).toMatchObject({ ok: false, reason: 'ambiguous_path' });
  });

  it('keeps path and query bytes exactly for an accepted target', async () => {
    const target = '/api/%61lice/tasks?user_id=bob&q=%2e%2e%2F&x=a+b';
    const seen = await send(request(target));
    const parsed = parseRequestTarget(seen!.url);
    expect(parsed).toMatchObject({ ok: true, target: { path: '/api/%61lice/tasks', query: '?user_id=bob&q=%2e%2e%2F&x=a+b', segments: ['api', 'alice', 'tasks'] } });
  });
});

describe('Node keeps every Authorization header only in rawHeaders', () => {
  const token = 'aaa.bbb.ccc';

  it('sees both of two Authorization headers, which req.headers hides', async () => {
    const seen = await send(request('/api/alice/tasks', `Authorization: Bearer ${token}`, 'authorization: Bearer xxx.yyy.zzz'));
    expect(seen!.headerAuthorization).toBe(`Bearer ${token}`);
    expect(extractBearer(seen!.rawHeaders, '')).toMatchObject({ ok: false, reason: 'multiple_credentials' });
  });

  it('accepts one header with a lower-case scheme and surrounding whitespace', async () => {
    const seen = await send(request('/api/alice/tasks', `authorization:   bearer ${token}  `));
    expect(extractBearer(seen!.rawHeaders, '')).toEqual({ ok: true, token });
  });

  it('does not take a token from the query or a cookie', async () => {
    const seen = await send(request(`/api/alice/tasks?access_token=${token}`, `Cookie: access_token=${token}`));
    const parsed = parseRequestTarget(seen!.url);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(extractBearer(seen!.rawHeaders, parsed.target.query)).toMatchObject({ ok: false, reason: 'missing_token' });
  });
});
