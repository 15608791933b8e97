// A stand-in for the gateway's admin API (POST /revocations), on a real socket: records every
// request as received and answers what the test says (201 with a stored entry by default).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeAdminApi {
  url: string;
  received: ReceivedRequest[];
  /** How to answer the next requests; when they run out, `fallback` answers. */
  answerNext(...answers: Answer[]): void;
  /** The answer once the queue is empty (default: 201 with the stored entry). */
  fallback: ((request: ReceivedRequest) => Answer) | undefined;
  /** Resolves once `count` requests have been received in total. */
  waitForRequests(count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

function stored(body: unknown): Answer {
  const now = new Date();
  return {
    status: 201,
    body: { id: randomUUID(), ...(body as object), created_at: now.toISOString(), expires_at: new Date(now.getTime() + 7 * 86_400_000).toISOString() },
  };
}

export async function startFakeAdminApi(): Promise<FakeAdminApi> {
  const queue: Answer[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const api: FakeAdminApi = {
    url: '',
    received: [],
    answerNext: (...answers) => void queue.push(...answers),
    fallback: undefined,
    waitForRequests: (count) =>
      api.received.length >= count
        ? Promise.resolve(api.received)
        : new Promise((resolve) => waiters.push({ count, resolve: () => resolve(api.received) })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: the test sees exactly what arrived
      }
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      };
      api.received.push(request);
      const answer = queue.shift() ?? api.fallback?.(request) ?? stored(body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body ?? {}));
      for (const waiter of waiters.splice(0)) {
        if (api.received.length >= waiter.count) waiter.resolve();
        else waiters.push(waiter);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
