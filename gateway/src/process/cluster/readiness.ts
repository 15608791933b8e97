// The primary's readiness questions to its workers: each answers its own checks and pool (see
// observe/readiness.ts); a worker that does not answer in time counts as not ready.
import type { Worker } from 'node:cluster';
import { combineWorkers, type LocalReadiness } from '../../observe/readiness.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';

export class WorkerReadiness {
  private readonly pending = new Map<number, (answer: LocalReadiness | undefined) => void>();
  private nextRequestId = 0;

  constructor(
    /** Workers the config asks for: fewer alive is not ready. */
    private readonly expected: number,
    private readonly timeoutMs: number,
  ) {}

  /** A worker's answer arrived (the primary's message handler passes it on). */
  answered(message: Extract<WorkerMessage, { type: 'gateway:readiness' }>): void {
    const { keys, revocations, store, pool } = message;
    this.pending.get(message.requestId)?.({ keys, revocations, store, pool });
  }

  /** Asks every live worker at once; resolves within the time-out. */
  async ask(alive: readonly Worker[]): Promise<LocalReadiness> {
    const answers = await Promise.all(alive.map((worker) => this.askOne(worker)));
    return combineWorkers(answers, this.expected);
  }

  private askOne(worker: Worker): Promise<LocalReadiness | undefined> {
    return new Promise((resolve) => {
      const requestId = this.nextRequestId++;
      const finish = (answer: LocalReadiness | undefined) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(answer);
      };
      const timer = setTimeout(() => finish(undefined), this.timeoutMs);
      this.pending.set(requestId, finish);
      worker.send({ type: 'gateway:readiness?', requestId } satisfies PrimaryMessage);
    });
  }
}
