// One reload, from trigger to log line: read the file, validate it with the same loadConfig
// rules as start, hand it to whoever applies it (a gateway, or a cluster primary and its
// workers), then one line: "reloaded" with the changed keys and the new hash, or "reload
// failed" with every problem by key path — the running config untouched.
//
// Reloads run one at a time; triggers that arrive meanwhile are folded into one more run.
import type { Logger } from 'pino';
import { ConfigError } from '../../config/index.js';
import { formatProblem } from '../../config/problems.js';
import type { ConfigProblem } from '../../config/types.js';
import { parseConfig, readConfigFile, type GatewayConfig, type LoadedConfig } from '../../gateway-config.js';
import type { ConfigMetrics } from '../../observe/config-metrics.js';
import { lifecycle } from '../lifecycle.js';

export type Applied = { readonly ok: true; readonly changed: readonly string[]; readonly hash: string } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Applies a validated config; `text` is what was validated (a cluster hands it to its workers). */
export type ApplyReload = (loaded: LoadedConfig, text: string) => Promise<Applied>;

export type Trigger = 'SIGHUP' | 'watch';

export interface Reloader {
  /** Re-reads and applies the file, whatever it holds. Resolves when this (or a folded) run ends. */
  reload(trigger: Trigger): Promise<void>;
  /** Like reload, but a file whose text is what the last attempt saw is left alone (editors touch files more than they change them). */
  fileChanged(): Promise<void>;
  /** Later triggers are ignored (shutdown). */
  close(): void;
}

export interface ReloaderOptions {
  readonly file: string;
  /** The text the running config was loaded from. */
  readonly initialText: string;
  readonly log: Logger;
  /** Undefined in a cluster worker (the primary counts). */
  readonly metrics: ConfigMetrics | undefined;
  readonly apply: ApplyReload;
  /** The running config's log level (lifecycle lines follow it). */
  readonly logLevel: () => GatewayConfig['logLevel'];
  readonly env?: NodeJS.ProcessEnv;
}

export function createReloader(options: ReloaderOptions): Reloader {
  const { file, log, metrics, apply } = options;
  let lastSeen = options.initialText;
  let chain: Promise<void> = Promise.resolve();
  let queued: { trigger: Trigger; force: boolean } | undefined;
  let closed = false;

  function schedule(trigger: Trigger, force: boolean): Promise<void> {
    if (closed) return chain;
    if (queued !== undefined) {
      queued.force ||= force;
      if (force) queued.trigger = trigger;
      return chain;
    }
    queued = { trigger, force };
    chain = chain.then(async () => {
      const run = queued!;
      queued = undefined;
      if (closed) return;
      try {
        await reloadOnce(run.trigger, run.force);
      } catch (error) {
        failed(run.trigger, [{ path: '(reload)', message: (error as Error).message }]);
      }
    });
    return chain;
  }

  async function reloadOnce(trigger: Trigger, force: boolean): Promise<void> {
    let text: string;
    try {
      text = readConfigFile(file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const seen = `unreadable:${error.message}`;
      if (!force && seen === lastSeen) return;
      lastSeen = seen;
      return failed(trigger, error.problems);
    }
    if (!force && text === lastSeen) return;
    lastSeen = text;

    let loaded: LoadedConfig;
    try {
      loaded = parseConfig(text, options.env ?? process.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return failed(trigger, error.problems);
    }
    const applied = await apply(loaded, text);
    if (!applied.ok) return failed(trigger, applied.problems);
    metrics?.reloaded('success');
    metrics?.loaded(applied.hash);
    for (const warning of loaded.warnings) log.warn({ config: file }, warning);
    lifecycle(log, options.logLevel()).info({ trigger, changed: applied.changed, config_hash: applied.hash }, 'reloaded');
  }

  function failed(trigger: Trigger, problems: readonly ConfigProblem[]): void {
    metrics?.reloaded('failure');
    lifecycle(log, options.logLevel()).error({ trigger, problems: problems.map(formatProblem) }, 'reload failed');
  }

  return {
    reload: (trigger) => schedule(trigger, true),
    fileChanged: () => schedule('watch', false),
    close() {
      closed = true;
    },
  };
}
