// One connection per target, one request at a time, the targets taken in turn in short bursts
// (a fresh random order each cycle), so every target is timed over the same seconds of this
// host. wrk times one target for a whole round, and on a VM whose speed drifts by up to 2×
// within a minute the 1-connection p50s of two rounds differ by more than the gap being
// measured; taken in turn, a slow spell slows them all. Plain sockets and pre-formatted requests
// (http-wire.ts): the client does the same small work for every target.
import { connect, type Socket } from 'node:net';
import { completeResponse, formatRequests } from './http-wire.js';
import type { PlannedRequest } from './mix.js';

export interface InterleavedTarget {
  readonly name: string;
  /** http://127.0.0.1:port */
  readonly url: string;
}

export interface InterleavedOptions {
  readonly durationSec: number;
  /** Cycles run and thrown away first (connections, caches and JIT warm). */
  readonly warmupCycles?: number;
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
  const clients = await Promise.all(targets.map((t) => OneAtATime.open(t.url, plan)));
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
          const { status, us } = await clients[t]!.send((next + i) % plan.length);
          sent[t]!++;
          if (status < 200 || status > 299) failed[t]!++;
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
 * Each target gets BURST requests back to back (a few tens of milliseconds), its first
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

/**
 * One keep-alive connection that sends a request and times the whole answer. A connection the
 * target closes between answers (nginx after keepalive_requests, an idle time-out) is opened again
 * before the next request, outside its time, as wrk does.
 */
class OneAtATime {
  private pending: { readonly resolve: (r: { status: number; us: number }) => void; readonly reject: (e: Error) => void; readonly startedAt: number } | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private socket: Socket | undefined;

  private constructor(
    private readonly url: URL,
    private readonly requests: readonly Buffer[],
  ) {}

  static async open(url: string, plan: readonly PlannedRequest[]): Promise<OneAtATime> {
    const client = new OneAtATime(new URL(url), formatRequests(url, plan));
    await client.connect();
    return client;
  }

  async send(index: number): Promise<{ status: number; us: number }> {
    if (this.socket === undefined) await this.connect();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, startedAt: performance.now() };
      this.socket!.write(this.requests[index]!);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.url.hostname, port: Number(this.url.port) }, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.lost(socket, error));
        this.socket = socket;
        this.buffered = Buffer.alloc(0);
        resolve();
      });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('close', () => this.lost(socket, new Error(`${this.url.host} closed the connection before answering`)));
    });
  }

  /** Closed or broken: a request waiting on it fails; the next one opens a new connection. */
  private lost(socket: Socket, error: Error): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const answer = completeResponse(this.buffered);
    if (answer === undefined || this.pending === undefined) return;
    const { resolve, startedAt } = this.pending;
    this.pending = undefined;
    this.buffered = this.buffered.subarray(answer.length);
    if (answer.close) {
      // The target ends the connection with this answer: the next request goes on a new one.
      const closing = this.socket;
      this.socket = undefined;
      closing?.destroy();
    }
    resolve({ status: answer.status, us: (performance.now() - startedAt) * 1000 });
  }
}
