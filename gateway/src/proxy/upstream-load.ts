// What the upstream pool is doing right now, counted by the relays as requests start, get a
// connection and end: the in-flight gauges and the capacity half of /readyz. Counters only; the
// hot path pays a few increments and one clock read per dispatch.

/** After this many forwards in a row without a response head in time, the upstream cannot take requests. */
export const HEAD_TIMEOUTS_UNTIL_UNREADY = 5;

export interface PoolSnapshot {
  readonly connections: number;
  /** Forwarded and not finished: on a connection or waiting for one. */
  readonly inFlight: number;
  /** On a pooled connection. */
  readonly busy: number;
  readonly free: number;
  /** Waiting for a connection. */
  readonly queued: number;
  /** How long requests have waited without any of them getting a connection (0 when none waits). */
  readonly stalledMs: number;
  readonly consecutiveHeadTimeouts: number;
  /** False when requests wait and none got a connection for stallLimitMs, or the last forwards all timed out (lately). */
  readonly canTakeRequests: boolean;
}

export class UpstreamLoad {
  private inFlight = 0;
  private busy = 0;
  /** The later of the last dispatch and the moment the queue last became non-empty. */
  private progressAt = performance.now();
  private headTimeouts = 0;
  private lastHeadTimeoutAt = -Infinity;

  constructor(
    readonly connections: number,
    /** How long queued requests may go without any dispatch before the pool counts as stuck. */
    private readonly stallLimitMs: number,
    /**
     * How long a run of head time-outs keeps the pool "cannot take requests" once no request
     * tries any more: a replica a load balancer took out of rotation (so no request can end the
     * run with a response head) is tried again after it, instead of staying unready for ever.
     */
    private readonly timeoutRunMemoryMs: number,
  ) {}

  started(): void {
    if (this.inFlight === this.busy) this.progressAt = performance.now();
    this.inFlight++;
  }

  dispatched(): void {
    this.busy++;
    this.progressAt = performance.now();
  }

  ended(dispatched: boolean): void {
    this.inFlight--;
    if (dispatched) this.busy--;
  }

  headReceived(): void {
    this.headTimeouts = 0;
  }

  headTimedOut(): void {
    this.headTimeouts++;
    this.lastHeadTimeoutAt = performance.now();
  }

  snapshot(now = performance.now()): PoolSnapshot {
    const queued = this.inFlight - this.busy;
    const stalledMs = queued > 0 ? Math.round(now - this.progressAt) : 0;
    return {
      connections: this.connections,
      inFlight: this.inFlight,
      busy: this.busy,
      free: Math.max(0, this.connections - this.busy),
      queued,
      stalledMs,
      consecutiveHeadTimeouts: this.headTimeouts,
      canTakeRequests: stalledMs <= this.stallLimitMs && !(this.headTimeouts >= HEAD_TIMEOUTS_UNTIL_UNREADY && now - this.lastHeadTimeoutAt <= this.timeoutRunMemoryMs),
    };
  }
}

/** A cluster's pools as one (the primary's /readyz): counts summed, the worst stall and timeout run kept. */
export function sumPools(pools: readonly PoolSnapshot[], everyWorkerAnswered: boolean): PoolSnapshot {
  const sum = (pick: (s: PoolSnapshot) => number) => pools.reduce((n, s) => n + pick(s), 0);
  const max = (pick: (s: PoolSnapshot) => number) => pools.reduce((n, s) => Math.max(n, pick(s)), 0);
  return {
    connections: sum((s) => s.connections),
    inFlight: sum((s) => s.inFlight),
    busy: sum((s) => s.busy),
    free: sum((s) => s.free),
    queued: sum((s) => s.queued),
    stalledMs: max((s) => s.stalledMs),
    consecutiveHeadTimeouts: max((s) => s.consecutiveHeadTimeouts),
    canTakeRequests: everyWorkerAnswered && pools.every((s) => s.canTakeRequests),
  };
}
