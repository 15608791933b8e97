// Hot reload: SIGHUP (and, with --watch, a change of the file) re-reads and validates the
// config; the new one serves new requests, requests in flight finish under the old one.
import type { Logger } from 'pino';
import { createReloader, type ReloaderOptions } from './reloader.js';
import { watchConfigFile } from './watch.js';

export { applyToGateway } from './apply.js';
export type { Applied, ApplyReload } from './reloader.js';

export interface ReloadTriggers {
  /** Stops watching and ignores later triggers (shutdown). */
  close(): void;
}

/**
 * Installs the SIGHUP handler (and the file watch). `heldHangup`: a SIGHUP arrived while the
 * gateway was starting; it is honoured now.
 */
export function installReload(options: ReloaderOptions & { readonly watch: boolean; readonly heldHangup: boolean }, log: Logger): ReloadTriggers {
  const reloader = createReloader(options);
  const onHangup = () => void reloader.reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  const watch = options.watch ? watchConfigFile(options.file, () => void reloader.fileChanged(), log) : undefined;
  if (options.heldHangup) onHangup();
  return {
    close() {
      reloader.close();
      watch?.close();
      process.off('SIGHUP', onHangup);
      // A hangup during shutdown must not kill the process mid-drain.
      process.on('SIGHUP', () => {});
    },
  };
}
