// Several real gateway processes (the `gateway` bin) sharing one real redis-server, behind a
// real haproxy: the harness of the multi-replica suites (revocations, rate limits).
import { adminEnv, withAdminToken } from './admin-api.js';
import { hs256Config } from './gateway.js';
import { startHaproxy, type Haproxy } from './haproxy.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { spawnGateway, writeTempConfig, type SpawnedGateway } from './spawn-gateway.js';

export interface Replica {
  readonly name: string;
  readonly process: SpawnedGateway;
  readonly url: string;
  readonly adminUrl: string;
}

export interface ReplicaSet {
  readonly redis: RedisServer;
  readonly replicas: readonly Replica[];
  readonly haproxy: Haproxy;
  /** SIGKILL one replica and wait for its exit. */
  kill(replica: Replica): Promise<void>;
  close(): Promise<void>;
}

export interface ReplicaSetOptions {
  readonly count: number;
  readonly upstreamUrl: string;
  /**
   * Top-level YAML added to every replica's config: e.g. the `rate_limit:` section of the
   * "across replicas, one rate budget" test (ACROSS_REPLICAS_ONE_RATE_BUDGET in
   * test/e2e/replicas-haproxy.test.ts).
   */
  readonly extraYaml?: string;
  /** haproxy's health check path (default /readyz?exclude=store). */
  readonly checkPath?: string;
}

export async function startReplicaSet(options: ReplicaSetOptions): Promise<ReplicaSet> {
  const redis = await startRedisServer();
  const replicas: Replica[] = [];
  const file = writeTempConfig(withAdminToken(hs256Config(options.upstreamUrl, `store:\n  redis_url: \${REDIS_URL}\nlog_level: warn\n${options.extraYaml ?? ''}`)));
  const spawned = Array.from({ length: options.count }, () => spawnGateway(['--config', file], { ...adminEnv, REDIS_URL: redis.url }));
  try {
    for (const [i, process] of spawned.entries()) {
      const line = await process.waitForLine((l) => l['msg'] === 'listening');
      replicas.push({ name: `g${i + 1}`, process, url: line['url'] as string, adminUrl: line['admin_url'] as string });
    }
    const haproxy = await startHaproxy({ servers: replicas, ...(options.checkPath ? { checkPath: options.checkPath } : {}) });
    for (const replica of replicas) await haproxy.waitForStatus(replica.name, 'UP');
    return {
      redis,
      replicas,
      haproxy,
      async kill(replica) {
        replica.process.child.kill('SIGKILL');
        await replica.process.exited;
      },
      async close() {
        await haproxy.close();
        for (const replica of replicas) if (replica.process.child.exitCode === null) replica.process.child.kill('SIGTERM');
        await Promise.all(replicas.map((r) => r.process.exited));
        await redis.stop();
      },
    };
  } catch (error) {
    for (const process of spawned) process.child.kill('SIGKILL');
    await redis.stop();
    throw error;
  }
}
