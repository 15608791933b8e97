// What the primary and its workers tell each other over the cluster IPC channel.
import type { RevocationJson } from '../../store/revocation.js';

export type WorkerMessage =
  | { readonly type: 'gateway:listening'; readonly url: string }
  | { readonly type: 'gateway:readiness'; readonly requestId: number; readonly keys: boolean; readonly revocations: boolean; readonly store: boolean }
  | { readonly type: 'gateway:failed'; readonly message: string }
  /** Without Redis: a worker asks the primary for every live revocation. */
  | { readonly type: 'gateway:revocations?'; readonly requestId: number };

export type RevocationChange = { readonly op: 'add'; readonly entry: RevocationJson } | { readonly op: 'remove'; readonly id: string };

export type PrimaryMessage =
  | { readonly type: 'gateway:readiness?'; readonly requestId: number }
  | { readonly type: 'gateway:revocations'; readonly requestId: number; readonly entries: readonly RevocationJson[] }
  | { readonly type: 'gateway:revocation-change'; readonly change: RevocationChange };

function isGatewayMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('gateway:');
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return isGatewayMessage(message);
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return isGatewayMessage(message);
}
