// One connection per target, one request at a time, the targets taken in turn in short bursts
// (a fresh random order each cycle), so every target is timed over the same seconds of this
// host. wrk times one target for a whole round, and on a VM whose speed drifts by up to 2×
// within a minute the 1-connection p50s of two rounds differ by more than the gap being
// measured; taken in turn, a slow spell slows them all. Plain sockets and pre-formatted requests
// (one-at-a-time.ts, http-wire.ts): the client does the same small work for every target.
import type { PlannedRequest } from './mix.js';
import { OneAtATime } from './one-at-a-time.js';

export interface InterleavedTarget {
  readonly name: string;
  /** http://127.0.0.1:port */
  readonly url: string;
}

export interface InterleavedOptions {
  readonly durationSec: number;
  /** Cycles run and thrown away first (connections, caches and JIT warm). */
  readonly warmupCycles?: number;
  /** How long a target may send no byte of an answer before the run fails (one-at-a-time.ts). */
  readonly answerTimeoutMs?: number;
}

export interface InterleavedSummary {
  /** Requests timed. */
  readonly requests: number;
  /** Requests sent, the untimed warm-ups included: what a target's CPU time is divided by. */
  readonly sent: number;
  /** Answers outside 2xx, warm-ups included: none is expected from a correct target. */
  readonly failed: number;
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number };
}

/** Runs the mix through every target in turn until the duration is over; a summary per target. */
export async function runInterleaved(targets: readonly InterleavedTarget[], plan: readonly PlannedRequest[], options: InterleavedOptions): Promise<Map<string, InterleavedSummary>> {
  if (targets.length === 0 || plan.length === 0) throw new Error('interleaved run: no targets or an empty plan');
  const clients = await Promise.all(targets.map((t) => OneAtATime.open(t.url, plan, options.answerTimeoutMs)));
  try {
    const samples = targets.map(() => [] as number[]);
    const failed = targets.map(() => 0);
    const sent = targets.map(() => 0);
    const warmupCycles = options.warmupCycles ?? 5;
    const order = targets.map((_, i) => i);
    const endAt = performance.now() + options.durationSec * 1000;
    let next = 0;
    for (let cycle = 0; cycle < warmupCycles || performance.now() < endAt; cycle++) {
      for (const t of shuffled(order)) {
        for (let i = 0; i < BURST; i++) {
          const { status, us, resent } = await clients[t]!.send((next + i) % plan.length);
          sent[t]! += resent ? 2 : 1;
          if (!(status >= 200 && status <= 299)) failed[t]!++;
          if (cycle < warmupCycles || i < BURST_WARMUP) continue;
          samples[t]!.push(us);
        }
      }
      next = (next + BURST) % plan.length;
    }
    return new Map(targets.map((t, i) => [t.name, summarise(samples[i]!, failed[i]!, sent[i]!)]));
  } finally {
    for (const c of clients) c.close();
  }
}

/**
 * A fresh random order each cycle: what a target does after its last answer (an access line,
 * metrics) must not always land on the same next target on the proxies' shared core.
 */
function shuffled(order: number[]): number[] {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Each target gets BURST requests back to back (about ten milliseconds here), its first
 * BURST_WARMUP untimed: a target that slept while the others were served is cold for its first
 * requests, and at one connection wrk keeps it warm. Short bursts, so a slow spell of the host
 * still falls on every target alike.
 */
const BURST = 48;
const BURST_WARMUP = 8;

export function summarise(samples: number[], failed: number, sent = samples.length): InterleavedSummary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => (sorted.length === 0 ? Number.NaN : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!));
  return { requests: sorted.length, sent, failed, latencyUs: { p50: at(0.5), p90: at(0.9), p99: at(0.99) } };
}
