// Graceful shutdown: close() lets a request already in flight finish (201),
// refuses new connections, and only then closes the database.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, startServer } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.remove());

/** Resolves with everything received once `done(received)` is true. */
function readUntil(socket: Socket, done: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (done(received)) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** true when a new TCP connection to the port is refused. */
async function refused(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}

// A complete response after the interim 100: headers, then content-length bytes.
function finalResponseComplete(received: string): boolean {
  const start = received.lastIndexOf('HTTP/1.1 ');
  const headerEnd = received.indexOf('\r\n\r\n', start);
  if (start < 0 || headerEnd < 0 || received.startsWith('HTTP/1.1 100', start)) return false;
  const length = /content-length: (\d+)/i.exec(received.slice(start, headerEnd));
  return length !== null && Buffer.byteLength(received.slice(headerEnd + 4)) >= Number(length[1]);
}

describe('graceful shutdown', () => {
  it('finishes a request whose body is still arriving, then closes the database', async () => {
    dir = tempDir();
    const dbPath = join(dir.path, 'shutdown.sqlite');
    const server = await startServer({ dbPath });
    const port = Number(new URL(server.url).port);

    const body = JSON.stringify({ title: 'in flight' });
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    // Expect: 100-continue makes the server say when it has taken the request
    // (Node answers 100 and hands the request to fastify at the same moment),
    // so we know it is in flight without guessing with a timer.
    const interim = readUntil(socket, (r) => r.includes('\r\n\r\n'));
    socket.write(
      'POST /api/shutdown/tasks HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    expect(await interim).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);

    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    // Wait (by events, bounded) until the listener is gone: close has really begun.
    let stoppedListening = false;
    for (let attempt = 0; attempt < 1000 && !stoppedListening; attempt++) stoppedListening = await refused(port);
    expect(stoppedListening).toBe(true);
    expect(closed).toBe(false); // still waiting for our request

    const response = readUntil(socket, finalResponseComplete);
    socket.end(body);
    const text = await response;
    expect(text).toMatch(/HTTP\/1\.1 201 Created\r\n/);
    const task = JSON.parse(text.slice(text.lastIndexOf('\r\n\r\n') + 4));
    expect(task).toMatchObject({ user_id: 'shutdown', title: 'in flight' });

    await closing;
    socket.destroy();

    // The database was closed cleanly and the task is in it.
    const db = openDatabase(dbPath);
    try {
      expect(db.prepare('SELECT title FROM tasks WHERE id = ?').pluck().get(task.id)).toBe('in flight');
    } finally {
      db.close();
    }
  });

  it('closes an idle keep-alive connection instead of waiting for it', async () => {
    const server = await startServer();
    const port = Number(new URL(server.url).port);
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const response = readUntil(socket, finalResponseComplete);
    socket.write('GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
    expect(await response).toMatch(/^HTTP\/1\.1 200/);
    // The socket stays open (keep-alive); close() must not hang on it.
    const socketClosed = once(socket, 'close');
    await server.close();
    await socketClosed;
  });
});
