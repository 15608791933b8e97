// A cluster reload in two phases, so the workers never disagree: every worker prepares the new
// config (parsing the very text the primary validated, fetching new issuers' keys) and says
// whether it can; only when all can does each swap. One that cannot, or does not answer in
// time, aborts the reload everywhere and the running config stays on every worker.
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { ConfigProblem } from '../../config/types.js';
import { formatProblem } from '../../config/problems.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';

const COMMIT_TIMEOUT_MS = 5_000;

export type ClusterReload = { readonly ok: true; readonly confirmed: number } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export async function reloadWorkers(workers: readonly Worker[], id: number, text: string, prepareTimeoutMs: number, log: Logger): Promise<ClusterReload> {
  const prepared = await Promise.all(
    workers.map((worker) =>
      ask(worker, { type: 'gateway:reload-prepare', id, text }, (m): m is Extract<WorkerMessage, { type: 'gateway:reload-prepared' }> => m.type === 'gateway:reload-prepared' && m.id === id, prepareTimeoutMs),
    ),
  );
  const problems: ConfigProblem[] = [];
  prepared.forEach((reply, i) => {
    if (reply === undefined) problems.push({ path: '(reload)', message: `worker ${workers[i]!.id} did not answer within ${prepareTimeoutMs} ms` });
    else if (!reply.ok) problems.push(...reply.problems);
  });
  if (problems.length > 0) {
    for (const worker of workers) send(worker, { type: 'gateway:reload-abort', id });
    // Every worker reads the same text: the same problem once, not once per worker.
    const unique = new Map(problems.map((p) => [formatProblem(p), p]));
    return { ok: false, problems: [...unique.values()] };
  }

  const committed = await Promise.all(
    workers.map((worker) =>
      ask(worker, { type: 'gateway:reload-commit', id }, (m): m is Extract<WorkerMessage, { type: 'gateway:reload-committed' }> => m.type === 'gateway:reload-committed' && m.id === id, COMMIT_TIMEOUT_MS),
    ),
  );
  let confirmed = 0;
  committed.forEach((reply, i) => {
    const worker = workers[i]!.id;
    if (reply?.ok) {
      confirmed++;
      log.info({ worker, config_hash: reply.hash }, 'worker reloaded');
    } else {
      // Practically only a worker that died meanwhile; its replacement asks for the new config.
      log.error({ worker }, 'worker did not confirm the reload');
    }
  });
  return { ok: true, confirmed };
}

function send(worker: Worker, message: PrimaryMessage): void {
  if (worker.isConnected()) worker.send(message);
}

/** Sends `message` and resolves with the worker's matching reply; undefined on timeout or exit. */
function ask<R extends WorkerMessage>(worker: Worker, message: PrimaryMessage, isReply: (m: WorkerMessage) => m is R, timeoutMs: number): Promise<R | undefined> {
  return new Promise((resolve) => {
    const done = (reply: R | undefined) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(reply);
    };
    const onMessage = (m: WorkerMessage) => {
      if (typeof m === 'object' && m !== null && isReply(m)) done(m);
    };
    const onExit = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    if (!worker.isConnected()) return done(undefined);
    worker.send(message);
  });
}
