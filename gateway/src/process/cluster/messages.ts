// What the primary and its workers tell each other over the cluster IPC channel.
import type { ConfigProblem } from '../../config/types.js';
import type { FetchResult } from '../../pipeline/authn/index.js';
import type { PoolSnapshot } from '../../proxy/upstream-load.js';
import type { RevocationJson } from '../../store/revocation.js';
import type { MetricsSnapshot } from './metrics-snapshot.js';

export type WorkerMessage =
  | { readonly type: 'gateway:listening'; readonly url: string }
  | { readonly type: 'gateway:readiness'; readonly requestId: number; readonly keys: boolean; readonly revocations: boolean; readonly store: boolean; readonly pool: PoolSnapshot }
  | { readonly type: 'gateway:failed'; readonly message: string }
  /** A worker's metrics: every ~1 s, on its way out, and as the answer to `gateway:metrics?` (with its requestId). */
  | { readonly type: 'gateway:metrics'; readonly requestId?: number; readonly metrics: MetricsSnapshot }
  /** Without Redis: a worker asks the primary for every live revocation. */
  | { readonly type: 'gateway:revocations?'; readonly requestId: number }
  /** A starting worker asks for the config text the primary validated (it never reads the file itself). */
  | { readonly type: 'gateway:config?' }
  | ({ readonly type: 'gateway:reload-prepared'; readonly id: number } & ({ readonly ok: true; readonly hash: string } | { readonly ok: false; readonly problems: readonly ConfigProblem[] }))
  | { readonly type: 'gateway:reload-committed'; readonly id: number; readonly ok: boolean; readonly hash: string }
  | KeysRequest;

/** A worker's key set (named by its source id, key-source.ts) asks: its start, or a fetch at the next permitted time. */
export type KeysRequest = { readonly type: 'gateway:keys?' | 'gateway:keys-fetch'; readonly id: string };

/** A key source's outcome, from the primary that fetched it; the document is the last good one, imported by each worker. */
export interface KeysMessage {
  readonly type: 'gateway:keys';
  readonly id: string;
  /** true: a fetch just settled (waiting requests are released); false: the answer to a 'gateway:keys?'. */
  readonly settled: boolean;
  readonly result: FetchResult;
  /** When that fetch started, ms since the epoch (0: none yet). */
  readonly attemptedAtMs: number;
  readonly keys?: { readonly document: unknown; readonly fetchedAtMs: number };
}

export type RevocationChange = { readonly op: 'add'; readonly entry: RevocationJson } | { readonly op: 'remove'; readonly id: string };

export type PrimaryMessage =
  | { readonly type: 'gateway:readiness?'; readonly requestId: number }
  | { readonly type: 'gateway:metrics?'; readonly requestId: number }
  | { readonly type: 'gateway:revocations'; readonly requestId: number; readonly entries: readonly RevocationJson[] }
  | { readonly type: 'gateway:revocation-change'; readonly change: RevocationChange }
  | { readonly type: 'gateway:config'; readonly text: string }
  /** Build the new state beside the running one (fetching new issuers' keys), answer, and wait. */
  | { readonly type: 'gateway:reload-prepare'; readonly id: number; readonly text: string }
  /** Every worker prepared: swap now. */
  | { readonly type: 'gateway:reload-commit'; readonly id: number }
  /** Some worker could not: drop what was prepared. */
  | { readonly type: 'gateway:reload-abort'; readonly id: number }
  | KeysMessage;

/** Set on the workers the primary forks, so a gateway run under someone else's cluster (pm2) is not mistaken for one. */
export const WORKER_ENV = 'GATEWAY_CLUSTER_WORKER';

function isGatewayMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('gateway:');
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return isGatewayMessage(message);
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return isGatewayMessage(message);
}

const FETCH_RESULTS: ReadonlySet<unknown> = new Set(['success', 'error', 'empty']);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function isKeysRequest(message: unknown): message is KeysRequest {
  return isWorkerMessage(message) && (message.type === 'gateway:keys?' || message.type === 'gateway:keys-fetch') && typeof (message as { id?: unknown }).id === 'string';
}

/** Checked field by field: what it carries decides which keys verify tokens. */
export function isKeysMessage(message: unknown): message is KeysMessage {
  if (!isPrimaryMessage(message) || message.type !== 'gateway:keys') return false;
  const m = message as unknown as Record<string, unknown>;
  if (typeof m['id'] !== 'string' || typeof m['settled'] !== 'boolean' || !FETCH_RESULTS.has(m['result']) || !isTime(m['attemptedAtMs'])) return false;
  const keys = m['keys'];
  return keys === undefined || (isObject(keys) && Object.hasOwn(keys, 'document') && isTime(keys['fetchedAtMs']));
}
