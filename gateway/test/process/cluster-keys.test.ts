// JWKS key sets with `workers: 2`: the primary fetches each key set once and hands it to every
// worker over IPC, so the workers hold the same keys (a removed key stops working in all of them
// after one fetch) and the key endpoint sees one fetch per refresh, not one per worker.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { readiness } from '../support/admin-api.js';
import { childPids } from '../support/process-tree.js';
import { eventually } from '../support/free-port.js';
import { testEnv } from '../support/gateway.js';
import { metricValue } from '../support/metrics.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { spawnGateway, writeTempConfig, type SpawnedGateway } from '../support/spawn-gateway.js';
import { jwksAndSecretConfig, keyPairToken } from '../support/threat-kit.js';
import { generateTestKeyPair, signToken, epochSeconds, startJwksServer, type JwksServer, type TestKeyPair } from '../support/tokens.js';

let upstream: RecordingUpstream;
let a: TestKeyPair, b: TestKeyPair, other: TestKeyPair;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  [a, b, other] = await Promise.all([generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA')]);
});
afterAll(async () => {
  await upstream?.close();
});

/** One request on a new connection: the cluster hands new connections to its workers in turn. */
async function status(url: string, token: string): Promise<number> {
  const res = await request(`${url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
  await res.body.dump();
  return res.statusCode;
}

async function statuses(url: string, token: string, count = 10): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await status(url, token));
  return out;
}

const keysChanged = (run: SpawnedGateway) => run.lines.filter((l) => l['msg'] === 'key set changed').length;

async function startCluster(jwks: JwksServer, extraIssuer = '', ready = true): Promise<{ run: SpawnedGateway; file: string; url: string; adminUrl: string }> {
  const yaml = clusterYaml(jwks, extraIssuer);
  const file = writeTempConfig(yaml);
  const run = spawnGateway(['--config', file], testEnv);
  const line = await run.waitForLine((l) => l['msg'] === 'listening');
  const adminUrl = line['admin_url'] as string;
  if (ready) await eventually(async () => (await readiness(adminUrl)).status === 200, { timeoutMs: 5_000, what: 'cluster ready' });
  return { run, file, url: line['url'] as string, adminUrl };
}

function clusterYaml(jwks: JwksServer, extraIssuer = ''): string {
  const yaml = jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: jwks.url, withSecretIssuer: false, authExtra: '  jwks_cooldown: 500ms', extra: 'workers: 2\n' });
  return yaml.replace('      algorithms: [EdDSA, ES256, RS256]\n', `      algorithms: [EdDSA, ES256, RS256]\n${extraIssuer}`);
}

describe('workers: 2 share the primary\'s key sets', () => {
  it('one fetch at start for both workers; a removed key is refused by every worker after one refresh fetch, not one per worker', async () => {
    const jwks = await startJwksServer([a]);
    const { run, url, adminUrl } = await startCluster(jwks);
    try {
      expect(jwks.requests).toBe(1);
      expect(keysChanged(run)).toBe(2); // each worker loaded the primary's document
      const tokenA = await keyPairToken(a, 'alice');
      expect(await statuses(url, tokenA)).toEqual(Array(10).fill(200));

      // A is withdrawn, B published; B's first token makes the primary fetch, and both workers get the result.
      jwks.setKeys([b]);
      const tokenB = await keyPairToken(b, 'alice');
      expect(await status(url, tokenB)).toBe(200);
      await eventually(() => keysChanged(run) === 4, { timeoutMs: 2_000, what: 'both workers replaced their keys' });
      expect(jwks.requests).toBe(2);
      expect(await statuses(url, tokenA)).toEqual(Array(10).fill(401));
      expect(await statuses(url, tokenB)).toEqual(Array(10).fill(200));
      expect(jwks.requests).toBe(2);
      // Counted once, on the primary, which did the fetching.
      expect(await metricValue(adminUrl, 'gateway_jwks_fetches_total', { issuer: 'key-pairs', result: 'success' })).toBe(2);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      await jwks.close();
    }
  });

  it('a reload that adds an issuer fetches its keys once, in the primary, and every worker verifies its tokens', async () => {
    const jwks = await startJwksServer([a]);
    const added = await startJwksServer([other]);
    const { run, file, url } = await startCluster(jwks);
    try {
      const now = epochSeconds();
      const token = await signToken({ iss: 'https://other.test', aud: 'https://other.test', sub: 'alice', iat: now, exp: now + 600 }, { alg: 'EdDSA', key: other.privateKey, kid: other.kid });
      expect(await status(url, token)).toBe(401);
      const issuer = `    - name: other\n      jwks_url: ${added.url}\n      issuer: https://other.test\n      audience: https://other.test\n      algorithms: [EdDSA]\n`;
      writeFileSync(file, clusterYaml(jwks, issuer));
      const reloaded = run.nextLine((l) => l['msg'] === 'reloaded' || l['msg'] === 'reload failed');
      run.child.kill('SIGHUP');
      expect(await reloaded).toMatchObject({ msg: 'reloaded', changed: ['auth'] });
      expect(added.requests).toBe(1);
      expect(await statuses(url, token)).toEqual(Array(10).fill(200));
      expect(added.requests).toBe(1);
      expect(jwks.requests).toBe(1); // the unchanged issuer's key set was kept, not refetched
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      await Promise.all([jwks.close(), added.close()]);
    }
  });

  it('a worker started after a crash gets the current keys at once, without a fetch of its own', async () => {
    const jwks = await startJwksServer([a]);
    const { run, url, adminUrl } = await startCluster(jwks);
    try {
      const [dead] = childPids(run.child.pid!);
      process.kill(dead!, 'SIGKILL');
      await eventually(
        async () => {
          const pids = childPids(run.child.pid!);
          return pids.length === 2 && !pids.includes(dead!) && keysChanged(run) === 3 && (await readiness(adminUrl)).status === 200;
        },
        { timeoutMs: 15_000, what: 'a replacement worker with keys' },
      );
      // Both workers (one of them the replacement) take turns: every request verifies.
      expect(await statuses(url, await keyPairToken(a, 'alice'))).toEqual(Array(10).fill(200));
      expect(jwks.requests).toBe(1);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      await jwks.close();
    }
  });

  it('an unknown-kid storm on both workers costs at most one fetch per cooldown, and every token is refused', async () => {
    const jwks = await startJwksServer([a]);
    const { run, url } = await startCluster(jwks);
    try {
      const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => keyPairToken(other, 'alice', {}, { kid: `storm-${i}` })));
      const before = jwks.requests;
      const started = performance.now();
      const answered = await Promise.all(tokens.map((token) => status(url, token)));
      const elapsed = performance.now() - started;
      expect(answered).toEqual(Array(20).fill(401));
      // One worker fetching on its own would double this; jwks_cooldown is 500 ms.
      expect(jwks.requests - before).toBeGreaterThanOrEqual(1);
      expect(jwks.requests - before).toBeLessThanOrEqual(1 + Math.floor(elapsed / 500));
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      await jwks.close();
    }
  });

  it('no good keys in the primary yet: every worker fails closed with keys_unavailable (never 500), and both verify once it has them', async () => {
    const jwks = await startJwksServer([a]);
    jwks.setMode('error');
    const { run, url } = await startCluster(jwks, '', false);
    try {
      const token = await keyPairToken(a, 'alice');
      for (let i = 0; i < 4; i++) {
        const res = await request(`${url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
        expect(res.statusCode).toBe(503);
        expect(await res.body.json()).toMatchObject({ reason: 'keys_unavailable' });
      }
      jwks.setMode('ok');
      await eventually(async () => (await statuses(url, token, 4)).every((s) => s === 200), { timeoutMs: 15_000, what: 'both workers verify' });
      expect(await statuses(url, token)).toEqual(Array(10).fill(200));
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      await jwks.close();
    }
  });
});
