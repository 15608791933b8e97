// shutdown.idle_grace: how long a stopping gateway still serves a request that arrives on an idle
// keep-alive connection before it half-closes that connection (serving/drain.ts). It covers a
// request already on its way when the signal came; a client that sends after the FIN has to
// retry on a new connection. At most the keep-alive time-out: by then Node closes an idle
// connection anyway.
import { KEEP_ALIVE_TIMEOUT_MS } from './network.js';
import { keyPath, type Problems } from './problems.js';
import { optional, readDuration, readSection, type Mapping } from './read.js';

export interface ShutdownConfig {
  readonly idleGraceMs: number;
}

export const SHUTDOWN_DEFAULTS = { idleGraceMs: 1_000 } as const;

export function readShutdown(root: Mapping, p: Problems): ShutdownConfig | undefined {
  const raw = readSection(root, 'shutdown', '', p, ['idle_grace']);
  if (!raw) return undefined;
  const idleGraceMs = optional(raw, 'idle_grace', 'shutdown', p, readDuration(1), SHUTDOWN_DEFAULTS.idleGraceMs);
  if (idleGraceMs === undefined) return undefined;
  if (idleGraceMs > KEEP_ALIVE_TIMEOUT_MS) {
    p.add(keyPath('shutdown', 'idle_grace'), `must be at most ${KEEP_ALIVE_TIMEOUT_MS / 1000}s, the keep-alive time-out: an idle connection is closed by then anyway`);
    return undefined;
  }
  return { idleGraceMs };
}
