// What the primary and its workers tell each other over the cluster IPC channel.

export type WorkerMessage =
  | { readonly type: 'gateway:listening'; readonly url: string }
  | { readonly type: 'gateway:readiness'; readonly requestId: number; readonly keys: boolean }
  | { readonly type: 'gateway:failed'; readonly message: string };

export type PrimaryMessage = { readonly type: 'gateway:readiness?'; readonly requestId: number };

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('gateway:');
}
