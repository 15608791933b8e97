// An upstream that answers with bytes the test writes itself: for answers Node's own server
// would never send (a body after a 204, a second response nobody asked for, odd 1xx heads), for
// a connection dropped once the request was read, and for connections reset at a chosen moment.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';

export interface RawUpstream {
  readonly url: string;
  /** The request target of every request received, in order. */
  readonly targets: string[];
  /** The body of every request received, in order (read by its Content-Length; none without one). */
  readonly bodies: string[];
  /** Resets (RST) every open connection, at once and synchronously; returns how many there were. */
  resetConnections(): number;
  close(): Promise<void>;
}

/** Instead of an answer: close the connection (FIN) or reset it (RST), the request read. */
export interface Drop {
  readonly drop: 'close' | 'reset';
}

/**
 * `answer(target, index)` gives the bytes to write for each request (a body is read by its
 * Content-Length first; a chunked one is not read: use requests without one or with a length),
 * or a Drop; `index` counts requests on that connection from 0.
 */
export async function startRawUpstream(answer: (target: string, index: number) => string | Drop): Promise<RawUpstream> {
  const targets: string[] = [];
  const bodies: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let index = 0;
    let head: { readonly target: string; readonly length: number } | undefined;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        if (!head) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const lines = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          head = { target: lines.split(' ')[1] ?? '', length: Number(/\r\ncontent-length: *(\d+)/i.exec(lines)?.[1] ?? 0) };
        }
        if (buffered.length < head.length) return;
        targets.push(head.target);
        bodies.push(buffered.slice(0, head.length));
        buffered = buffered.slice(head.length);
        const reply = answer(head.target, index++);
        head = undefined;
        if (typeof reply === 'string') socket.write(reply, 'latin1');
        else return void (reply.drop === 'reset' ? socket.resetAndDestroy() : socket.destroy());
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    bodies,
    resetConnections: () => {
      const open = [...sockets];
      for (const socket of open) socket.resetAndDestroy();
      return open.length;
    },
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
