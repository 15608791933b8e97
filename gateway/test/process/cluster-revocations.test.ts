// Revocations with `workers: 2`: the admin port is the primary's; without Redis the workers learn
// entries from the primary over IPC, with Redis each worker follows Redis itself.
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { adminEnv, readiness, revoke, withAdminToken } from '../support/admin-api.js';
import { eventually } from '../support/free-port.js';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { useRedis, useUpstream } from '../support/suite.js';
import { spawnGateway, writeTempConfig } from '../support/spawn-gateway.js';

const upstream = useUpstream();
const redis = useRedis();

/** One request on a new connection: the cluster hands new connections to its workers in turn. */
async function reason(url: string, token: string): Promise<number | string> {
  const res = await request(`${url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}`, connection: 'close' } });
  const text = await res.body.text();
  return res.statusCode === 200 ? 200 : (JSON.parse(text) as { reason: string }).reason;
}

async function everyWorkerRefuses(url: string, token: string): Promise<boolean> {
  for (let i = 0; i < 8; i++) if ((await reason(url, token)) !== 'token_revoked') return false;
  return true;
}

describe.each([
  ['without a store (primary → workers over IPC)', ''],
  ['with Redis (each worker follows Redis)', 'store:\n  redis_url: ${REDIS_URL}\n'],
])('workers: 2 %s', (_name, storeYaml) => {
  it('a revocation posted to the primary\'s admin port is enforced by every worker within 1 s', async () => {
    const yaml = withAdminToken(hs256Config(upstream.url, `workers: 2\nlog_level: warn\n${storeYaml}`));
    const run = spawnGateway(['--config', writeTempConfig(yaml)], { ...adminEnv, REDIS_URL: redis.url });
    try {
      const { url, admin_url: adminUrl } = (await run.waitForLine((l) => l['msg'] === 'listening')) as { url: string; admin_url: string };
      await eventually(async () => (await readiness(adminUrl)).status === 200, { timeoutMs: 5_000, what: 'cluster ready' });
      expect((await readiness(adminUrl)).body.checks).toMatchObject({ revocations: true, store: true });
      const token = await hs256Token('alice');
      for (let i = 0; i < 4; i++) expect(await reason(url, token)).toBe(200); // cached in both workers

      await revoke(adminUrl, { sub: 'alice' });
      const took = await eventually(() => everyWorkerRefuses(url, token), { timeoutMs: 1_000, what: 'every worker refuses' });
      expect(took).toBeLessThan(1_000);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  });
});
