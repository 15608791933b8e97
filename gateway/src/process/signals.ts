// Signals of the gateway process: the ones that arrive while it starts are held, and SIGTERM or
// SIGINT stops it in order: drain (serving/drain.ts), close, exit 0; the drain is bounded by
// limits.request_timeout, after which what is still open is cut.
import type { Logger } from 'pino';
import type { GatewayConfig } from '../gateway-config.js';
import { lifecycle } from './lifecycle.js';

export type HeldSignals = ReturnType<typeof holdSignals>;

/**
 * The public port listens before the first key fetch settles; a SIGTERM in that window must
 * still end in an orderly stop (exit 0), not Node's default kill, and a SIGHUP must not kill
 * it either (Node's default for SIGHUP is to exit). Held signals are replayed once the gateway is up.
 */
export function holdSignals(): { readonly signal: () => NodeJS.Signals | undefined; hangup(): boolean; release(): void } {
  let received: NodeJS.Signals | undefined;
  let hangup = false;
  const hold = (signal: NodeJS.Signals) => {
    received ??= signal;
  };
  const holdHangup = () => {
    hangup = true;
  };
  process.on('SIGTERM', hold);
  process.on('SIGINT', hold);
  process.on('SIGHUP', holdHangup);
  return {
    signal: () => received,
    /** Whether a SIGHUP arrived; from now on the caller's own handler takes them. */
    hangup() {
      process.off('SIGHUP', holdHangup);
      return hangup;
    },
    release() {
      process.off('SIGTERM', hold);
      process.off('SIGINT', hold);
      process.off('SIGHUP', holdHangup);
    },
  };
}

export interface Stop {
  /** The running config: its log level, and its limits.request_timeout, the drain's deadline. */
  current(): GatewayConfig;
  /** Drains and closes; resolves once everything is closed. */
  stop(): Promise<void>;
  /** The deadline passed: cuts the connections still open (stop() then completes). */
  force(): void;
  /** A cluster worker: the primary writes the cluster's lines. */
  readonly quiet?: boolean;
}

/** Resolves with the exit code once a SIGTERM/SIGINT (or one held while starting) has stopped everything. */
export function untilSignal(log: Logger, how: Stop, held?: HeldSignals): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      const config = how.current();
      if (!how.quiet) lifecycle(log, config.logLevel).info({ signal }, 'shutting down: finishing in-flight requests');
      const deadline = setTimeout(() => {
        log.warn('shutdown deadline passed; closing remaining connections');
        how.force();
      }, config.limits.requestTimeoutMs);
      deadline.unref();
      how.stop().then(
        () => {
          clearTimeout(deadline);
          if (!how.quiet) lifecycle(log, how.current().logLevel).info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    held?.release();
    const early = held?.signal();
    if (early) stop(early);
  });
}
