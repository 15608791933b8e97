// The primary's handling of its worker processes: waiting for one to listen, how many
// unexpected exits it forgives, and stopping them all.
import cluster, { type Worker } from 'node:cluster';
import type { WorkerMessage } from './messages.js';

/** A worker that keeps crashing is not restarted forever: the gateway exits instead. */
const MAX_RESTARTS_PER_MINUTE = 10;

export function connectedWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
}

/** Resolves with the worker's public URL once it listens; rejects if it fails or exits first. */
export function waitListening(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message?.type === 'gateway:listening') resolve(message.url);
      else if (message?.type === 'gateway:failed') reject(new Error(message.message));
    };
    worker.on('message', onMessage);
    worker.once('exit', () => reject(new Error('worker exited before listening')));
  });
}

/** Counts unexpected exits over the last minute; false once there were too many to restart again. */
export class RestartBudget {
  private readonly restarts: number[] = [];

  allowsAnother(now = Date.now()): boolean {
    this.restarts.push(now);
    while (this.restarts.length && this.restarts[0]! < now - 60_000) this.restarts.shift();
    return this.restarts.length <= MAX_RESTARTS_PER_MINUTE;
  }
}

/** SIGTERM every worker and wait for each to exit (they finish their in-flight requests first). */
export async function stopWorkers(): Promise<void> {
  const exits = Object.values(cluster.workers ?? {}).map(
    (worker) =>
      new Promise<void>((resolve) => {
        if (!worker || worker.isDead()) return resolve();
        worker.once('exit', () => resolve());
        worker.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
}
