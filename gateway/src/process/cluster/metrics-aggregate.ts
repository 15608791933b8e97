// The primary's /metrics in a cluster: the workers' metrics summed (gauges by their own
// aggregator), plus what the workers that died had counted. Each worker reports its metrics
// every ~1 s, on its way out, and when a scrape asks; the primary keeps each one's latest
// report, and when a worker's channel closes (nothing more can come from it) folds that
// report's counters and histograms into a retired total that every later sum includes. So a
// counter never goes down while the gateway runs; what a worker counted after its last report
// (at most ~1 s, when it is killed) is lost with it.
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isWorkerMessage, type PrimaryMessage } from './messages.js';
import { sumCumulative, type MetricsSnapshot } from './metrics-snapshot.js';

/** A scrape waits this long for a worker's fresh report, then uses its last one. */
const SCRAPE_ANSWER_MS = 1_000;

export class ClusterMetrics {
  /** Each live worker's last report; undefined until its first (a starting worker cannot answer yet). */
  private readonly latest = new Map<Worker, MetricsSnapshot | undefined>();
  private retired: MetricsSnapshot = [];
  /** Scrapes waiting for a worker's answer, by request id. */
  private readonly pending = new Map<number, { readonly worker: Worker; readonly done: () => void }>();
  private nextRequestId = 0;

  /** `own`: the primary's own series (reloads); no name is also a worker's. */
  constructor(private readonly own: Registry) {}

  get contentType(): string {
    return this.own.contentType;
  }

  /** Follows a worker from its fork to the close of its channel. */
  track(worker: Worker): void {
    this.latest.set(worker, undefined);
    const onMessage = (message: unknown) => {
      if (!isWorkerMessage(message) || message.type !== 'gateway:metrics') return;
      this.latest.set(worker, message.metrics);
      if (message.requestId !== undefined) this.pending.get(message.requestId)?.done();
    };
    worker.on('message', onMessage);
    // Every message the worker sent has been delivered before 'disconnect': its last report is in.
    worker.once('disconnect', () => {
      worker.off('message', onMessage);
      const last = this.latest.get(worker) ?? [];
      this.latest.delete(worker);
      this.retired = sumCumulative([this.retired, last]);
      // A scrape waiting for this worker has its last report now; it need not wait out the time-out.
      for (const { worker: asked, done } of [...this.pending.values()]) if (asked === worker) done();
    });
  }

  /** The exposition text: fresh reports from the live workers (or their last within the time-out), the retired total, the primary's own. */
  async text(): Promise<string> {
    const reporting = [...this.latest].filter(([, last]) => last !== undefined).map(([worker]) => worker);
    await Promise.all(reporting.map((worker) => this.ask(worker)));
    // Read in one synchronous step, so a worker retired meanwhile is counted exactly once.
    const sum = AggregatorRegistry.aggregate([this.retired, ...[...this.latest.values()].filter((last) => last !== undefined)]);
    return `${await sum.metrics()}\n${await this.own.metrics()}`;
  }

  private ask(worker: Worker): Promise<void> {
    if (!worker.isConnected()) return Promise.resolve();
    return new Promise((resolve) => {
      const requestId = this.nextRequestId++;
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve();
      };
      const timer = setTimeout(done, SCRAPE_ANSWER_MS);
      this.pending.set(requestId, { worker, done });
      worker.send({ type: 'gateway:metrics?', requestId } satisfies PrimaryMessage, (error: Error | null) => error && done());
    });
  }
}
