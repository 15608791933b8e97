// One pino JSON line per request, keyed by the gateway's request id, and no
// credential ever reaches the log (the gateway forwards the Bearer token).
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { client } from './helpers/http.js';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
    done();
  },
});

let server: RunningServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  server = await startServer({ logger: pino({ level: 'info' }, sink) });
  api = client(server.url);
});
afterAll(() => server.close());

const completed = (reqId: string) => lines.filter((l) => l.msg === 'request completed' && l.reqId === reqId);

describe('request logging', () => {
  it('logs one line per request under the incoming x-request-id, never the token', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl';
    const res = await api.post('/api/logger/tasks', {
      json: { title: 't' },
      headers: { 'x-request-id': 'req-abc_1.2', authorization: `Bearer ${secret}`, cookie: 'session=topsecret' },
    });
    expect(res.status).toBe(201);
    const mine = completed('req-abc_1.2');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ method: 'POST', url: '/api/logger/tasks', statusCode: 201, level: 30 });
    expect(typeof mine[0]!.responseTime).toBe('number');
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('topsecret');
  });

  it('replaces a malformed request id instead of logging it', async () => {
    const bad = 'bad id with spaces and "quotes"';
    await api.get('/health', { headers: { 'x-request-id': bad } });
    expect(JSON.stringify(lines)).not.toContain('bad id with spaces');
    const last = lines.filter((l) => l.msg === 'request completed').at(-1)!;
    expect(last.url).toBe('/health');
    expect(last.reqId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
