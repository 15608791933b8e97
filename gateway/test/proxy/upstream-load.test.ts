// proxy/upstream-load.ts: the pool's saturation as counted by the relays, and when it "cannot
// take requests" — a queue that gets no connection, or a run of head time-outs (remembered only
// for a while, so a replica taken out of rotation is tried again).
import { describe, expect, it } from 'vitest';
import { sumPools, UpstreamLoad, HEAD_TIMEOUTS_UNTIL_UNREADY } from '../../src/proxy/upstream-load.js';

describe('UpstreamLoad', () => {
  it('counts in flight, busy, free and queued as requests start, get a connection and end', () => {
    const load = new UpstreamLoad(2, 1_000, 10_000);
    for (let i = 0; i < 3; i++) load.started();
    load.dispatched();
    load.dispatched();
    expect(load.snapshot()).toMatchObject({ connections: 2, inFlight: 3, busy: 2, free: 0, queued: 1, canTakeRequests: true });
    load.ended(true);
    load.ended(false); // the queued one gave up before a connection
    expect(load.snapshot()).toMatchObject({ inFlight: 1, busy: 1, free: 1, queued: 0, stalledMs: 0 });
  });

  it('cannot take requests once a queue has waited past the stall limit without a dispatch', () => {
    const load = new UpstreamLoad(1, 1_000, 10_000);
    load.started();
    load.dispatched();
    load.started(); // queued from now
    const now = performance.now();
    expect(load.snapshot(now + 999).canTakeRequests).toBe(true);
    expect(load.snapshot(now + 1_500)).toMatchObject({ queued: 1, canTakeRequests: false });
    load.ended(true);
    load.dispatched(); // the queued one got the connection: progress
    expect(load.snapshot(performance.now() + 100).canTakeRequests).toBe(true);
  });

  it('cannot take requests after a run of head time-outs, until a head arrives or the run is old', () => {
    const load = new UpstreamLoad(4, 1_000, 10_000);
    for (let i = 0; i < HEAD_TIMEOUTS_UNTIL_UNREADY - 1; i++) load.headTimedOut();
    expect(load.snapshot().canTakeRequests).toBe(true);
    load.headTimedOut();
    const now = performance.now();
    expect(load.snapshot(now)).toMatchObject({ consecutiveHeadTimeouts: HEAD_TIMEOUTS_UNTIL_UNREADY, canTakeRequests: false });
    expect(load.snapshot(now + 10_001).canTakeRequests).toBe(true);
    load.headReceived();
    expect(load.snapshot(now)).toMatchObject({ consecutiveHeadTimeouts: 0, canTakeRequests: true });
  });
});

describe('sumPools (a cluster\'s primary)', () => {
  it('sums the counts, keeps the worst stall, and is not ready unless every worker answered ready', () => {
    const a = new UpstreamLoad(2, 1_000, 10_000).snapshot();
    const stuck = { ...a, queued: 3, stalledMs: 5_000, canTakeRequests: false };
    expect(sumPools([a, a], true)).toMatchObject({ connections: 4, free: 4, canTakeRequests: true });
    expect(sumPools([a, stuck], true)).toMatchObject({ queued: 3, stalledMs: 5_000, canTakeRequests: false });
    expect(sumPools([a], false).canTakeRequests).toBe(false);
  });
});
