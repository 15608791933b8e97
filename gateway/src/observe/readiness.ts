// What /readyz reports, from what one process knows (a cluster's primary combines its workers').
import type { PoolSnapshot } from '../proxy/upstream-load.js';
import { sumPools } from '../proxy/upstream-load.js';
import type { Readiness } from './admin.js';

/** The checks one gateway process can answer for itself, and its upstream pool's saturation. */
export interface LocalReadiness {
  readonly keys: boolean;
  readonly revocations: boolean;
  readonly store: boolean;
  readonly pool: PoolSnapshot;
}

/** The admin port's answer: `upstream` is the TCP probe; `upstream_capacity` whether the pool can take requests. */
export function readinessOf(local: LocalReadiness, upstreamReachable: boolean): Readiness {
  const { pool } = local;
  return {
    checks: { keys: local.keys, upstream: upstreamReachable, upstream_capacity: pool.canTakeRequests, revocations: local.revocations, store: local.store },
    pool,
  };
}

/** Every worker's answer as one: a check holds only if it holds in each of `expected` workers; pools are summed. */
export function combineWorkers(answers: readonly (LocalReadiness | undefined)[], expected: number): LocalReadiness {
  const given = answers.filter((a): a is LocalReadiness => a !== undefined);
  const all = given.length === answers.length && answers.length >= expected;
  return {
    keys: all && given.every((a) => a.keys),
    revocations: all && given.every((a) => a.revocations),
    store: all && given.every((a) => a.store),
    pool: sumPools(given.map((a) => a.pool), all),
  };
}
