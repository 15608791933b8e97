// An upstream that answers with bytes the test writes itself: for answers Node's own server
// would never send (a body after a 204, a second response nobody asked for, odd 1xx heads).
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';

export interface RawUpstream {
  readonly url: string;
  /** The request target of every request head received, in order. */
  readonly targets: string[];
  close(): Promise<void>;
}

/**
 * `answer(target, index)` gives the bytes to write for each request head (bodies are not read:
 * use it for requests without one); `index` counts requests on that connection from 0.
 */
export async function startRawUpstream(answer: (target: string, index: number) => string): Promise<RawUpstream> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const target = buffered.slice(0, end).split(' ')[1] ?? '';
        buffered = buffered.slice(end + 4);
        targets.push(target);
        socket.write(answer(target, index++), 'latin1');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** One HTTP/1.1 response: status line, headers, blank line, body (Content-Length added unless given). */
export function rawResponse(status: string, headers: readonly string[], body = ''): string {
  const withLength = headers.some((h) => /^content-length:/i.test(h)) ? headers : [...headers, `Content-Length: ${Buffer.byteLength(body)}`];
  return `HTTP/1.1 ${status}\r\n${withLength.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
}
