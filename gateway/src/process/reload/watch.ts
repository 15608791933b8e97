// --watch: a change of the config file reloads it. The directory is watched, not the file:
// editors save by writing a new file and renaming it over the old one (the old inode, which a
// file watch follows, is gone), and Kubernetes swaps a symlinked directory. Any event in the
// directory starts a short debounce; the reloader then reads the file and acts only if its
// text changed, so unrelated files and repeated events cost one read.
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';

/** Long enough to span an editor's write-then-rename (or delete-then-create), short enough to feel immediate. */
export const WATCH_DEBOUNCE_MS = 200;

export interface ConfigWatch {
  close(): void;
}

export function watchConfigFile(file: string, onChange: () => void, log: Logger, debounceMs = WATCH_DEBOUNCE_MS): ConfigWatch {
  const dir = dirname(resolve(file));
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const fire = () => {
    timer = undefined;
    onChange();
  };
  try {
    // Not persistent: watching must never be what keeps the process alive.
    watcher = watch(dir, { persistent: false }, () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(fire, debounceMs);
    });
    watcher.on('error', (error) => {
      log.warn({ err: error, dir }, 'config watch stopped; SIGHUP still reloads');
      watcher?.close();
    });
  } catch (error) {
    log.warn({ err: error, dir }, 'cannot watch the config directory; SIGHUP still reloads');
  }
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      watcher?.close();
    },
  };
}
