// An upstream whose answers wait until the test releases them: "requests in flight upstream"
// as a state a test can hold, count and end, with no timing involved.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldUpstream {
  readonly url: string;
  /** Request targets of every request that arrived, in order. */
  readonly arrived: string[];
  /** Requests answered at once instead of held (e.g. `/api/alice/`). */
  answerAtOnce(prefix: string): void;
  /** Resolves once `count` requests are held. */
  heldCount(count: number): Promise<void>;
  /** Answers every held request 200 `[]`. */
  releaseAll(): void;
  close(): Promise<void>;
}

export async function startHeldUpstream(): Promise<HeldUpstream> {
  const held: ServerResponse[] = [];
  const arrived: string[] = [];
  const quick: string[] = [];
  let watchers: Array<() => void> = [];
  const answer = (res: ServerResponse) => {
    if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    arrived.push(req.url ?? '');
    if (quick.some((prefix) => req.url?.startsWith(prefix))) return answer(res);
    held.push(res);
    res.once('close', () => held.splice(held.indexOf(res), 1));
    for (const watch of watchers) watch();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived,
    answerAtOnce: (prefix) => void quick.push(prefix),
    heldCount: (count) =>
      new Promise((resolve) => {
        const check = () => {
          if (held.length < count) return;
          watchers = watchers.filter((w) => w !== check);
          resolve();
        };
        watchers.push(check);
        check();
      }),
    releaseAll: () => [...held].forEach(answer),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
