// The generated Lua script run by a real wrk (skipped where wrk is not installed): every
// planned request goes out as planned and the result line parses.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrkGenerator } from '../src/loadgen.js';
import { buildMix } from '../src/mix.js';

const wrk = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim();

describe.skipIf(!wrk)('wrk with the generated script', () => {
  const seen = new Map<string, number>();
  let server: Server;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-test-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const key = `${req.method} ${req.url} ${req.headers.authorization} ${body ? 'body' : ''}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        // One path answers 404 so failures are counted.
        res.writeHead(req.url === '/api/r2/tasks/9' ? 404 : 200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends each planned request with its token and reports µs latencies and failures', async () => {
    const plan = buildMix(
      [{ id: 'r1', token: 'a.b.c', taskIds: [1] }, { id: 'r2', token: 'd.e.f', taskIds: [9] }],
      [{ id: 'w1', token: 'g.h.i', taskIds: [] }],
    );
    const gen = wrkGenerator(wrk, undefined);
    const result = await gen.run(url, gen.prepare('test', plan, dir), 2, 1);
    expect(result.requests).toBeGreaterThan(plan.length);
    expect(result.latencyUs.p50).toBeGreaterThan(0);
    expect(result.latencyUs.p99).toBeGreaterThanOrEqual(result.latencyUs.p50);
    for (const r of plan) {
      expect(seen.get(`${r.method} ${r.path} ${r.headers.authorization} ${r.body ? 'body' : ''}`), `${r.method} ${r.path}`).toBeGreaterThan(0);
    }
    const notFound = seen.get('GET /api/r2/tasks/9 Bearer d.e.f ') ?? 0;
    // wrk counts the 404s as failures (a response still in flight at the end may be seen only by the server).
    expect(notFound).toBeGreaterThan(0);
    expect(result.failures).toBeGreaterThan(0);
    expect(result.failures).toBeLessThanOrEqual(notFound);
  });
});
