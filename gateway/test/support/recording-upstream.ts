import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The request target exactly as the upstream received it. */
  readonly url: string;
  /** Lower-cased header map as Node parsed it. */
  readonly headers: IncomingMessage['headers'];
  /** Name/value pairs exactly as sent on the wire. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export type Responder = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface RecordingUpstream {
  readonly url: string;
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Replace how the upstream answers (default: 200 JSON echo of method and url). */
  respondWith(responder: Responder): void;
  /** Resolves with the next request the upstream receives (fully read). */
  nextRequest(): Promise<RecordedRequest>;
  /** Header names/values of the last request, lower-cased names, every copy kept. */
  headerValues(request: RecordedRequest, name: string): string[];
  reset(): void;
  close(): Promise<void>;
}

const echo: Responder = (request, res) => {
  const body = JSON.stringify({ method: request.method, url: request.url });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

/**
 * A real HTTP server that records everything it receives: the "what did the upstream see" half of
 * every test. On an ephemeral port, or on `port` (an upstream that starts listening late).
 */
export async function startRecordingUpstream(port = 0): Promise<RecordingUpstream> {
  let responder: Responder = echo;
  const requests: RecordedRequest[] = [];
  let waiters: Array<(r: RecordedRequest) => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      requests.push(recorded);
      const pending = waiters;
      waiters = [];
      for (const waiter of pending) waiter(recorded);
      Promise.resolve(responder(recorded, res)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    origin,
    requests,
    respondWith(next) {
      responder = next;
    },
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    headerValues(request, name) {
      const lower = name.toLowerCase();
      const out: string[] = [];
      for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i]!.toLowerCase() === lower) out.push(request.rawHeaders[i + 1]!);
      return out;
    },
    reset() {
      requests.length = 0;
      responder = echo;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
