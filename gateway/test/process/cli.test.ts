import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { hs256Config, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { ADMIN_TOKEN, adminEnv, withAdminToken } from '../support/admin-api.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { spawnGateway, writeTempConfig } from '../support/spawn-gateway.js';

let upstream: RecordingUpstream;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

const isListening = (line: Record<string, unknown>) => line['msg'] === 'listening';

describe('gateway --check-config', () => {
  it('exits 0 on a good config', async () => {
    const run = spawnGateway(['--check-config', writeTempConfig(hs256Config(upstream.url))], testEnv);
    expect(await run.exited).toBe(0);
  });

  it('notes that the admin API for revocations is off without admin.token, and not with it', async () => {
    const off = spawnGateway(['--check-config', writeTempConfig(hs256Config(upstream.url))], testEnv);
    const offClosed = once(off.child, 'close'); // after it, stdout is fully read
    expect(await off.exited).toBe(0);
    await offClosed;
    expect(off.lines).toContainEqual({ text: expect.stringMatching(/^note: admin\.token is not set: the admin API for revocations .* is off and answers 404/) });
    const on = spawnGateway(['--check-config', writeTempConfig(withAdminToken(hs256Config(upstream.url)))], adminEnv);
    const onClosed = once(on.child, 'close');
    expect(await on.exited).toBe(0);
    await onClosed;
    expect(on.lines.some((l) => String(l['text']).startsWith('note:'))).toBe(false);
    expect(JSON.stringify(on.lines) + on.stderr()).not.toContain(ADMIN_TOKEN);
  });

  it('shows the fair-share limits in force, defaults included', async () => {
    const run = spawnGateway(['--check-config', writeTempConfig(hs256Config(upstream.url, 'rate_limit: { requests: 100, per: 1m }'))], testEnv);
    const closed = once(run.child, 'close');
    expect(await run.exited).toBe(0);
    await closed;
    expect(run.lines).toContainEqual({
      text: 'limits: 16 request(s) in flight per subject (of upstream.connections 64); rate limits: 100 per 60 s by default, counted in memory (this process); idle time-outs: response 30 s, body 10 s',
    });
  });

  it('exits 1 and lists every problem by its key path', async () => {
    const yaml = hs256Config(upstream.url).replace('algorithms: [HS256]', 'algorithms: [none]').replace('listen: { host: 127.0.0.1, port: 0 }', 'listen: { host: 127.0.0.1, port: 99999 }') + '\nsurprise: true\n';
    const run = spawnGateway(['--check-config', writeTempConfig(yaml)], testEnv);
    expect(await run.exited).toBe(1);
    const err = run.stderr();
    expect(err).toContain('auth.issuers[0].algorithms');
    expect(err).toContain('listen.port');
    expect(err).toContain('surprise');
  });

  it('refuses a weak HS256 secret and says how to make a good one', async () => {
    const run = spawnGateway(['--check-config', writeTempConfig(hs256Config(upstream.url))], { TEST_SECRET: 'short-secret' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('auth.issuers[0].secret');
    expect(run.stderr()).toContain('openssl rand');
    expect(run.stderr()).not.toContain('short-secret');
  });
});

describe('gateway --config', () => {
  it('logs one "listening" line with its URLs, serves, and exits non-zero on a bad config', async () => {
    const bad = spawnGateway(['--config', writeTempConfig('listen: nope\n')], testEnv);
    expect(await bad.exited).not.toBe(0);
    expect(bad.stderr()).toContain('invalid config');

    const run = spawnGateway(['--config', writeTempConfig(hs256Config(upstream.url))], testEnv);
    try {
      const line = await run.waitForLine(isListening);
      expect(line['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(line['admin_url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await request(`${line['url'] as string}/api/alice/tasks`, { headers: { authorization: `Bearer ${await hs256Token('alice')}` } });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      const health = await request(`${line['admin_url'] as string}/healthz`);
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  });

  it('prints its "listening" line even at log_level: warn, while request lines follow the level', async () => {
    const run = spawnGateway(['--config', writeTempConfig(`${hs256Config(upstream.url)}\nlog_level: warn\n`)], testEnv);
    try {
      const { url } = (await run.waitForLine(isListening)) as { url: string };
      const res = await request(`${url}/api/alice/tasks`);
      expect(res.statusCode).toBe(401);
      await res.body.dump();
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
    expect(run.lines.some((l) => l['msg'] === 'request')).toBe(false);
    expect(run.lines.some((l) => l['msg'] === 'stopped')).toBe(true);
  });

  it('exits non-zero with a clear message when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const yaml = hs256Config(upstream.url).replace('listen: { host: 127.0.0.1, port: 0 }', `listen: { host: 127.0.0.1, port: ${port} }`);
      const run = spawnGateway(['--config', writeTempConfig(yaml)], testEnv);
      expect(await run.exited).toBe(1);
      const fatal = run.lines.find((l) => l['level'] === 60);
      expect(String(fatal?.['msg'])).toContain('address already in use');
    } finally {
      blocker.close();
    }
  });

  it('on SIGTERM finishes the in-flight request, then exits 0', async () => {
    let release: () => void = () => {};
    upstream.respondWith((_req, res) => new Promise<void>((resolve) => {
      release = () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('finished');
        resolve();
      };
    }));
    const run = spawnGateway(['--config', writeTempConfig(hs256Config(upstream.url))], testEnv);
    try {
      const { url } = (await run.waitForLine(isListening)) as { url: string };
      const arrived = upstream.nextRequest();
      const inFlight = request(`${url}/api/alice/tasks`, { headers: { authorization: `Bearer ${await hs256Token('alice')}` } });
      await arrived;
      run.child.kill('SIGTERM');
      await run.waitForLine((l) => String(l['msg']).startsWith('shutting down'));
      release();
      const res = await inFlight;
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('finished');
      expect(await run.exited).toBe(0);
    } finally {
      upstream.reset();
      run.child.kill('SIGKILL');
    }
  });
});

describe('workers: 2 (node:cluster)', () => {
  it('serves from the workers, sums their metrics on the primary\'s admin port, and stops cleanly', async () => {
    const run = spawnGateway(['--config', writeTempConfig(`${hs256Config(upstream.url)}\nworkers: 2\n`)], testEnv);
    try {
      const { url, admin_url: adminUrl } = (await run.waitForLine(isListening)) as { url: string; admin_url: string };
      const token = await hs256Token('alice');
      for (let i = 0; i < 6; i++) {
        const res = await request(`${url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
        expect(res.statusCode).toBe(200);
        await res.body.dump();
      }
      const metrics = await (await request(`${adminUrl}/metrics`)).body.text();
      expect(metrics).toMatch(/gateway_requests_total\{route="\/api\/:user_id\/tasks",method="GET",status="200"\} 6/);
      const ready = await request(`${adminUrl}/readyz`);
      expect(ready.statusCode).toBe(200);
      await ready.body.dump();
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  });
});
