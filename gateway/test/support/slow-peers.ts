// The two halves of a slow-read attack over real sockets: an upstream answer that honours
// backpressure (so it stalls exactly when the gateway stops reading it), and a client that asks
// and never reads. Both report what happened as events, so tests wait on them instead of sleeping.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';

const CHUNK = Buffer.alloc(64 * 1024, 'x');

export interface LargeAnswer {
  /** Resolves (with performance.now()) the first time the gateway stops taking the body. */
  readonly stalled: Promise<number>;
  /** Resolves when the answer ends: `finished` true if every byte was taken, false if the gateway hung up first. */
  readonly ended: Promise<{ finished: boolean; at: number }>;
}

/** Streams `bytes` of body in 64 KiB chunks, writing the next only after the previous was taken. */
export function streamLargeAnswer(res: ServerResponse, bytes: number): LargeAnswer {
  let markStalled: (at: number) => void = () => {};
  const stalled = new Promise<number>((resolve) => (markStalled = resolve));
  const ended = new Promise<{ finished: boolean; at: number }>((resolve) => {
    res.once('close', () => resolve({ finished: res.writableFinished, at: performance.now() }));
  });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes) });
  let left = bytes;
  const writeMore = (): void => {
    while (left > 0 && !res.destroyed) {
      const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= piece.length;
      if (left === 0) {
        res.end(piece);
        return;
      }
      if (!res.write(piece)) {
        markStalled(performance.now());
        res.once('drain', writeMore);
        return;
      }
    }
  };
  writeMore();
  return { stalled, ended };
}

export interface SlowReader {
  readonly socket: Socket;
  /** Starts reading at last; resolves with the bytes received once the gateway closes the connection. */
  drain(): Promise<number>;
}

/** Sends one GET with the token on its own connection and reads nothing until told to. */
export async function openSlowReader(baseUrl: string, path: string, token: string): Promise<SlowReader> {
  const { hostname, port, host } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined); // a reset is also a way to be cut off
  await once(socket, 'connect');
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  return {
    socket,
    async drain() {
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      const closed = once(socket, 'close');
      socket.resume();
      await closed;
      return received;
    },
  };
}
