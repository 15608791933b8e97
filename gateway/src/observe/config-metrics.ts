// Which config a gateway runs and how its reloads went. In a cluster the primary owns these (it
// validates and coordinates every reload); a single gateway has them in its own registry.
import { Counter, Gauge, type Registry } from 'prom-client';

export type ReloadResult = 'success' | 'failure';

export class ConfigMetrics {
  private readonly reloads: Counter<'result'>;
  private readonly info: Gauge<'hash'>;
  private readonly loadedAt: Gauge;

  constructor(registry: Registry) {
    this.reloads = new Counter({ name: 'gateway_config_reloads_total', help: 'Config reloads (SIGHUP or --watch), by result; a failed one left the running config in place.', labelNames: ['result'], registers: [registry] });
    this.info = new Gauge({ name: 'gateway_config_info', help: 'Always 1, labelled with the hash of the running config (the hash in the "reloaded" log line).', labelNames: ['hash'], registers: [registry] });
    this.loadedAt = new Gauge({ name: 'gateway_config_loaded_timestamp_seconds', help: 'When the running config was loaded (start or last successful reload), in seconds since the epoch.', registers: [registry] });
    // Both results exist from the start, so a rate() over them never sees a series appear.
    this.reloads.labels('success');
    this.reloads.labels('failure');
  }

  /** The config with this hash now serves (at start, and after each successful reload). */
  loaded(hash: string): void {
    this.info.reset();
    this.info.labels(hash).set(1);
    this.loadedAt.set(Date.now() / 1000);
  }

  reloaded(result: ReloadResult): void {
    this.reloads.labels(result).inc();
  }
}
