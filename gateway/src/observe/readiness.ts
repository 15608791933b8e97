// What /readyz reports, from what one process knows (a cluster's primary combines its workers').
import type { PoolSnapshot } from '../proxy/upstream-load.js';
import { sumPools } from '../proxy/upstream-load.js';
import type { Readiness, ReadinessCheck, WorkerCounts } from './admin.js';

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

/** A worker serves ready when each of its own checks holds, bar the excluded ones. */
function serves(a: LocalReadiness, excluded: readonly ReadinessCheck[]): boolean {
  const own: Partial<Record<ReadinessCheck, boolean>> = { keys: a.keys, revocations: a.revocations, store: a.store, upstream_capacity: a.pool.canTakeRequests };
  return Object.entries(own).every(([name, holds]) => holds || excluded.includes(name as ReadinessCheck));
}

/**
 * The workers' answers as one (undefined: no answer in time). A cluster serves while any worker
 * does, so a check holds if it holds in every worker that serves ready (under `excluded`): one
 * is enough. With none ready, a check holds if it holds in every worker that answered (none
 * answering: no check holds), so the answer shows what fails. Pools are summed over the workers
 * that answered.
 */
export function combineWorkers(answers: readonly (LocalReadiness | undefined)[], expected: number, excluded: readonly ReadinessCheck[] = []): LocalReadiness & { readonly workers: WorkerCounts } {
  const given = answers.filter((a): a is LocalReadiness => a !== undefined);
  const ready = given.filter((a) => serves(a, excluded));
  const basis = ready.length > 0 ? ready : given;
  const holds = (check: (a: LocalReadiness) => boolean) => basis.length > 0 && basis.every(check);
  return {
    keys: holds((a) => a.keys),
    revocations: holds((a) => a.revocations),
    store: holds((a) => a.store),
    pool: { ...sumPools(given.map((a) => a.pool), true), canTakeRequests: holds((a) => a.pool.canTakeRequests) },
    workers: { expected, alive: answers.length, ready: ready.length },
  };
}
