// Hot reload through the real bin, over real sockets: SIGHUP and --watch, what changes for new
// requests, what stays for requests in flight, and what a bad reload leaves alone.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { hs256Config, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { spawnGateway, writeTempConfig, type SpawnedGateway } from '../support/spawn-gateway.js';

let upstream: RecordingUpstream;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
});
afterAll(async () => {
  await upstream?.close();
});
afterEach(() => upstream.reset());

const ROTATED_SECRET = 'rotated-secret-9876543210-zyxwvutsrqponmlkjihgfedcba';
const env = { ...testEnv, ROTATED_SECRET };
const NOTES_ROUTE = 'routes:\n  - path: /api/:user_id/notes\n    methods: [GET]\n    owner: user_id\n';

const base = (extra = '') => hs256Config(upstream.url, extra);
const withNotes = (yaml: string) => yaml.replace('routes:\n', NOTES_ROUTE);
const rotated = (yaml: string) => yaml.replace('secret: ${TEST_SECRET}', 'secret: ${ROTATED_SECRET}');

interface Running {
  readonly run: SpawnedGateway;
  readonly file: string;
  readonly url: string;
  readonly adminUrl: string;
}

const running: Running[] = [];
afterEach(async () => {
  for (const g of running.splice(0)) {
    g.run.child.kill('SIGTERM');
    await g.run.exited;
  }
});

async function start(yaml: string, args: string[] = []): Promise<Running> {
  const file = writeTempConfig(yaml);
  const run = spawnGateway(['--config', file, ...args], env);
  const line = await run.waitForLine((l) => l['msg'] === 'listening');
  const g = { run, file, url: line['url'] as string, adminUrl: line['admin_url'] as string };
  running.push(g);
  return g;
}

const isReloadLine = (l: Record<string, unknown>) => l['msg'] === 'reloaded' || l['msg'] === 'reload failed';

/** Writes the file, sends SIGHUP, resolves with the reload's one log line. */
async function reload(g: Running, yaml: string): Promise<Record<string, unknown>> {
  writeFileSync(g.file, yaml);
  const line = g.run.nextLine(isReloadLine);
  g.run.child.kill('SIGHUP');
  return line;
}

async function status(url: string, path: string, token?: string, extra: Record<string, string> = {}): Promise<number> {
  const res = await request(`${url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra } });
  await res.body.dump();
  return res.statusCode;
}

const rotatedKey = new TextEncoder().encode(ROTATED_SECRET);

describe('SIGHUP reload', () => {
  it('adds a route, then removes it again, for new requests', async () => {
    const g = await start(base());
    const token = await hs256Token('alice');
    expect(await status(g.url, '/api/alice/notes', token)).toBe(404);

    const added = await reload(g, withNotes(base()));
    expect(added).toMatchObject({ msg: 'reloaded', changed: ['routes'], trigger: 'SIGHUP' });
    expect(added['config_hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(await status(g.url, '/api/alice/notes', token)).toBe(200);
    expect(await status(g.url, '/api/bob/notes', token)).toBe(403);

    const removed = await reload(g, base());
    expect(removed).toMatchObject({ msg: 'reloaded', changed: ['routes'] });
    expect(await status(g.url, '/api/alice/notes', token)).toBe(404);
    expect(await status(g.url, '/api/alice/tasks', token)).toBe(200);
  });

  it('rotates a shared secret: tokens of the old one are refused, of the new one accepted', async () => {
    const g = await start(base());
    const oldToken = await hs256Token('alice');
    const newToken = await hs256Token('alice', {}, rotatedKey);
    expect(await status(g.url, '/api/alice/tasks', oldToken)).toBe(200);
    expect(await status(g.url, '/api/alice/tasks', newToken)).toBe(401);

    expect(await reload(g, rotated(base()))).toMatchObject({ msg: 'reloaded', changed: ['auth'] });
    expect(await status(g.url, '/api/alice/tasks', oldToken)).toBe(401);
    expect(await status(g.url, '/api/alice/tasks', newToken)).toBe(200);
    expect(JSON.stringify(g.run.lines)).not.toContain(ROTATED_SECRET);
  });

  it('keeps a broken file out: the old config still serves, and the line names the key path', async () => {
    const g = await start(base());
    const token = await hs256Token('alice');
    const broken = withNotes(base()).replace('methods: [GET]\n    owner: user_id\n', 'methods: [FETCH]\n    owner: user_id\n');
    const line = await reload(g, broken);
    expect(line['msg']).toBe('reload failed');
    expect((line['problems'] as string[]).some((p) => p.startsWith('routes[0].methods[0]:'))).toBe(true);
    expect(await status(g.url, '/api/alice/tasks', token)).toBe(200);
    expect(await status(g.url, '/api/alice/notes', token)).toBe(404);

    const yaml = await reload(g, 'routes: [\n');
    expect(yaml['msg']).toBe('reload failed');
    expect(await status(g.url, '/api/alice/tasks', token)).toBe(200);
  });

  it('refuses a listen change (it needs a restart) and keeps serving on the same port', async () => {
    const g = await start(base());
    const line = await reload(g, withNotes(base()).replace('listen: { host: 127.0.0.1, port: 0 }', 'listen: { host: 127.0.0.1, port: 18081 }'));
    expect(line['msg']).toBe('reload failed');
    expect(line['problems']).toEqual([expect.stringMatching(/^listen: .*restart/)]);
    expect(await status(g.url, '/api/alice/notes', await hs256Token('alice'))).toBe(404);
  });

  it('counts reloads in /metrics and labels the running config with the hash it logged', async () => {
    const g = await start(base());
    const ok = await reload(g, withNotes(base()));
    await reload(g, 'routes: [\n');
    const metrics = await (await request(`${g.adminUrl}/metrics`)).body.text();
    expect(metrics).toContain('gateway_config_reloads_total{result="success"} 1');
    expect(metrics).toContain('gateway_config_reloads_total{result="failure"} 1');
    expect(metrics).toContain(`gateway_config_info{hash="${ok['config_hash'] as string}"} 1`);
    expect(metrics.match(/^gateway_config_info\{/gm)).toHaveLength(1);
    expect(metrics).toMatch(/^gateway_config_loaded_timestamp_seconds \d+/m);
  });

  it('lets requests in flight finish with the decision they started with', async () => {
    const g = await start(withNotes(base()));
    const token = await hs256Token('alice');
    let release: () => void = () => {};
    upstream.respondWith((_req, res) => new Promise<void>((resolve) => {
      release = () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('old decision');
        resolve();
      };
    }));
    const arrived = upstream.nextRequest();
    const inFlight = request(`${g.url}/api/alice/notes`, { headers: { authorization: `Bearer ${token}` } });
    await arrived;

    // The route goes away and the secret that signed the in-flight request's token is rotated.
    expect(await reload(g, rotated(base()))).toMatchObject({ msg: 'reloaded', changed: ['auth', 'routes'] });
    upstream.reset();
    expect(await status(g.url, '/api/alice/notes', token)).toBe(404);
    expect(await status(g.url, '/api/alice/tasks', token)).toBe(401);

    release();
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('old decision');
  });

  it('drops no request across reloads under a small bounded load', async () => {
    const g = await start(base());
    const token = await hs256Token('alice');
    const statuses: number[] = [];
    const errors: unknown[] = [];
    let waiters: Array<() => void> = [];
    const settled = () => {
      const pending = waiters;
      waiters = [];
      for (const waiter of pending) waiter();
    };
    /** Resolves once `count` requests have ended, so every reload happens under load. */
    const atLeast = (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => (statuses.length + errors.length >= count ? resolve() : void waiters.push(check));
        check();
      });
    let reloading = true;
    const deadline = Date.now() + 15_000;
    const client = async () => {
      // Bounded in count and time; keep-alive connections stay open across the swaps.
      for (let i = 0; i < 400 && reloading && Date.now() < deadline; i++) {
        try {
          statuses.push(await status(g.url, '/api/alice/tasks', token));
        } catch (error) {
          errors.push(error);
        }
        settled();
      }
    };
    const clients = Array.from({ length: 4 }, client);
    const lines: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 6; i++) {
      await atLeast(statuses.length + errors.length + 20);
      lines.push(await reload(g, i % 2 === 0 ? withNotes(base()) : base()));
    }
    await atLeast(statuses.length + errors.length + 20);
    reloading = false;
    await Promise.all(clients);
    expect(lines.map((l) => l['msg'])).toEqual(Array(6).fill('reloaded'));
    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThanOrEqual(140);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

describe('--watch', () => {
  it('reloads when an editor replaces the file (write a new file, rename it over the old)', async () => {
    const g = await start(base(), ['--watch']);
    const token = await hs256Token('alice');
    const line = g.run.nextLine(isReloadLine);
    const temp = join(dirname(g.file), '.gateway.yaml.swp');
    writeFileSync(temp, withNotes(base()));
    renameSync(temp, g.file);
    expect(await line).toMatchObject({ msg: 'reloaded', trigger: 'watch', changed: ['routes'] });
    expect(await status(g.url, '/api/alice/notes', token)).toBe(200);

    // A plain in-place write is picked up as well.
    const again = g.run.nextLine(isReloadLine);
    writeFileSync(g.file, base());
    expect(await again).toMatchObject({ msg: 'reloaded', trigger: 'watch' });
    expect(await status(g.url, '/api/alice/notes', token)).toBe(404);
  });
});

describe('workers: 2', () => {
  it('the primary validates, every worker prepares and swaps, and each worker\'s success is logged', async () => {
    const g = await start(base('workers: 2\n'));
    const token = await hs256Token('alice');
    const workerLines = g.run.lines.length;
    const line = await reload(g, withNotes(base('workers: 2\n')));
    expect(line).toMatchObject({ msg: 'reloaded', changed: ['routes'] });
    const perWorker = g.run.lines.slice(workerLines).filter((l) => l['msg'] === 'worker reloaded');
    expect(perWorker).toHaveLength(2);
    expect(perWorker.every((l) => l['config_hash'] === line['config_hash'])).toBe(true);
    // New connections land on either worker: every one of them has the new route.
    for (let i = 0; i < 6; i++) expect(await status(g.url, '/api/alice/notes', token, { connection: 'close' })).toBe(200);

    const refused = await reload(g, withNotes(base('workers: 3\n')));
    expect(refused['problems']).toEqual([expect.stringMatching(/^workers: /)]);
    const metrics = await (await request(`${g.adminUrl}/metrics`)).body.text();
    expect(metrics).toContain('gateway_config_reloads_total{result="success"} 1');
    expect(metrics).toContain('gateway_config_reloads_total{result="failure"} 1');
    expect(metrics).toContain(`gateway_config_info{hash="${line['config_hash'] as string}"} 1`);
    expect(metrics).toMatch(/gateway_requests_total\{route="\/api\/:user_id\/notes",method="GET",status="200"\} 6/);
  });
});
