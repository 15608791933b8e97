// A cluster worker's side of the primary's /metrics (see metrics-aggregate.ts): it reports its
// registry when it starts, every ~1 s, whenever the primary asks (a scrape), and once more on
// its way out.
// Reports go out one after another, so the primary never takes an older one for the latest.
import type { Registry } from 'prom-client';
import { isPrimaryMessage, type WorkerMessage } from './messages.js';
import type { MetricsSnapshot } from './metrics-snapshot.js';

export const REPORT_EVERY_MS = 1_000;

export interface MetricsReporter {
  /** Stops the periodic reports and sends the last one; resolves once it is handed to the channel. */
  final(): Promise<void>;
}

export function reportMetrics(registry: Registry, everyMs = REPORT_EVERY_MS): MetricsReporter {
  let queue = Promise.resolve();
  const report = (requestId?: number): Promise<void> =>
    (queue = queue.then(async () => {
      const metrics = (await registry.getMetricsAsJSON()) as unknown as MetricsSnapshot;
      const message: WorkerMessage = { type: 'gateway:metrics', ...(requestId !== undefined ? { requestId } : {}), metrics };
      await new Promise<void>((resolve) => {
        if (!process.connected || !process.send) return resolve();
        process.send(message, undefined, undefined, () => resolve());
      });
    }).catch(() => undefined));

  const onMessage = (message: unknown) => {
    if (isPrimaryMessage(message) && message.type === 'gateway:metrics?') void report(message.requestId);
  };
  process.on('message', onMessage);
  // One at once: the primary asks only workers that have reported (one still starting cannot answer).
  void report();
  const timer = setInterval(() => void report(), everyMs);
  timer.unref();
  return {
    final() {
      clearInterval(timer);
      process.off('message', onMessage);
      return report();
    },
  };
}
