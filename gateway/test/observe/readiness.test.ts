// observe/readiness.ts combineWorkers: a cluster's /readyz is as ready as its ready workers —
// one is enough; with none, the checks show what fails; a silent worker is alive, not ready.
import { describe, expect, it } from 'vitest';
import { combineWorkers, type LocalReadiness } from '../../src/observe/readiness.js';
import { UpstreamLoad } from '../../src/proxy/upstream-load.js';

const pool = new UpstreamLoad(2, 1_000, 10_000).snapshot();
const ready: LocalReadiness = { keys: true, revocations: true, store: true, pool };
const noKeys: LocalReadiness = { ...ready, keys: false };
const noStore: LocalReadiness = { ...ready, store: false };
const saturated: LocalReadiness = { ...ready, pool: { ...pool, canTakeRequests: false } };

describe('combineWorkers', () => {
  it('holds while one worker is ready, however many others are missing, silent or not ready', () => {
    expect(combineWorkers([ready], 2)).toMatchObject({ keys: true, revocations: true, store: true, workers: { expected: 2, alive: 1, ready: 1 } });
    expect(combineWorkers([ready, undefined], 2)).toMatchObject({ keys: true, workers: { expected: 2, alive: 2, ready: 1 } });
    const mixed = combineWorkers([ready, noKeys, saturated], 3);
    expect(mixed).toMatchObject({ keys: true, pool: { canTakeRequests: true, connections: 6 }, workers: { alive: 3, ready: 1 } });
  });

  it('with no worker ready, a check fails if it fails in any worker that answered; with none answering, every check fails', () => {
    expect(combineWorkers([noKeys, saturated], 2)).toMatchObject({ keys: false, store: true, pool: { canTakeRequests: false }, workers: { ready: 0 } });
    expect(combineWorkers([undefined, undefined], 2)).toMatchObject({ keys: false, revocations: false, store: false, pool: { canTakeRequests: false }, workers: { alive: 2, ready: 0 } });
    expect(combineWorkers([], 2)).toMatchObject({ keys: false, workers: { expected: 2, alive: 0, ready: 0 } });
  });

  it('an excluded check does not keep a worker from counting as ready, and is still reported', () => {
    expect(combineWorkers([noStore], 2).workers.ready).toBe(0);
    expect(combineWorkers([noStore, noKeys], 2, ['store'])).toMatchObject({ keys: true, store: false, workers: { ready: 1 } });
  });
});
