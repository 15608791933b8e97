// Stopping the public listener without resetting a request (SIGTERM: process/signals.ts).
//
// Node's `server.close()` (and fastify's `app.close()`, which calls it) destroys every idle
// keep-alive socket at once. A client may have a request on its way on such a socket — it
// cannot know the server is stopping — and the kernel answers those bytes with a reset: the
// client gets ECONNRESET/EPIPE for a request it may not retry, and on a real network the reset
// can also discard an answer it had not read yet. So a drain, instead:
// - stops accepting (the listening socket closes; connections already open stay open);
// - serves (forwards) every request that still arrives on an open connection, and answers it
//   with `Connection: close` — the in-flight ones whose head is not out yet too. Nothing is
//   answered 503 on the way out: a client cannot tell that 503 from one of its upstream;
// - half-closes an idle connection after `shutdown.idle_grace` without a byte from its client
//   (a request that arrives in the grace is served), never while request bytes arrive;
// - after its FIN (an answer's or an idle connection's) keeps reading until the client closes
//   its side or LINGER_MS pass, as proxy/linger.ts does for a refused body. A request that
//   arrives then, or pipelined behind an answer that closes, could never be answered: it is
//   read and discarded, never forwarded;
// - is done when every connection has closed. The caller's deadline (limits.request_timeout)
//   bounds it: `force()` then destroys what remains.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { isLingering, LINGER_MS } from '../proxy/linger.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Connection {
  /** Answers not finished yet, in order (pipelined requests queue behind the first). */
  readonly open: Set<ServerResponse>;
  /** socket.bytesRead when the grace was (re)armed: more since then means a request is arriving. */
  readAtIdle: number;
  timer?: NodeJS.Timeout;
}

export class ConnectionDrain {
  private readonly connections = new Map<Socket, Connection>();
  /** Answers the drain made `Connection: close`, with the keep-alive Node had decided for them. */
  private readonly closedByDrain = new WeakMap<ServerResponse, boolean>();
  private started = false;
  private graceMs = 0;
  private closed: Promise<void> = Promise.resolve();

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      const connection = this.connectionOf(socket);
      if (this.started) this.whenIdle(socket, connection);
    });
  }

  /** From the first call of `start()` on: /readyz reports not ready. */
  get draining(): boolean {
    return this.started;
  }

  /** The listener's request handler, seen through the drain (every request, 100-continue ones included). */
  wrap(handler: Handler): Handler {
    return (req, res) => {
      const socket = req.socket;
      const connection = this.connectionOf(socket);
      if (this.started && !this.answerable(socket, connection)) return void req.resume();
      clearTimeout(connection.timer);
      connection.open.add(res);
      res.on('close', () => {
        connection.open.delete(res);
        if (this.started && connection.open.size === 0) this.whenIdle(socket, connection);
      });
      if (this.started) this.closeAfterLast(socket, connection);
      handler(req, res);
    };
  }

  /**
   * Stops accepting and lets every connection end as above; resolves once all have closed.
   * A second call returns the same drain.
   */
  start(idleGraceMs: number): Promise<void> {
    if (this.started) return this.closed;
    this.started = true;
    this.graceMs = idleGraceMs;
    // net.Server's own close, not http.Server's: that one first destroys the idle sockets.
    // It stops the listening socket now and calls back once the last connection has closed.
    this.closed = this.server.listening ? new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve())) : Promise.resolve();
    for (const [socket, connection] of this.connections) {
      if (connection.open.size > 0) this.closeAfterLast(socket, connection);
      else this.whenIdle(socket, connection);
    }
    return this.closed;
  }

  /** The deadline passed: every connection still open is destroyed. */
  force(): void {
    for (const socket of this.connections.keys()) socket.destroy();
  }

  private connectionOf(socket: Socket): Connection {
    const known = this.connections.get(socket);
    if (known) return known;
    const connection: Connection = { open: new Set(), readAtIdle: 0 };
    this.connections.set(socket, connection);
    socket.once('close', () => {
      clearTimeout(connection.timer);
      this.connections.delete(socket);
    });
    return connection;
  }

  /** Not once our FIN is out, nor behind an answer that closes the connection. */
  private answerable(socket: Socket, connection: Connection): boolean {
    if (socket.writableEnded || socket.destroyed) return false;
    const ahead = [...connection.open].at(-1);
    if (ahead === undefined || !closes(ahead)) return true;
    // Ours and its head not out yet: it keeps the connection for this one after all.
    const keepAlive = this.closedByDrain.get(ahead);
    if (keepAlive === undefined || ahead.headersSent) return false;
    ahead.shouldKeepAlive = keepAlive;
    this.closedByDrain.delete(ahead);
    return true;
  }

  /** The connection's last answer whose head is not out yet says `Connection: close`. */
  private closeAfterLast(socket: Socket, connection: Connection): void {
    const last = [...connection.open].at(-1);
    if (last && !last.headersSent && !closes(last)) {
      this.closedByDrain.set(last, last.shouldKeepAlive);
      last.shouldKeepAlive = false;
    }
    // Node's http server calls destroySoon() once a `Connection: close` answer is written: FIN,
    // then destroy as soon as it is flushed. Here the FIN waits for the client's instead. A
    // socket proxy/linger.ts holds keeps that one's close (the same rule, its own bound).
    if (!isLingering(socket)) socket.destroySoon = () => lingerClose(socket);
  }

  /** No answer pending: half-close after the grace, unless request bytes arrived in it. */
  private whenIdle(socket: Socket, connection: Connection): void {
    if (socket.writableEnded || socket.destroyed) return;
    clearTimeout(connection.timer);
    connection.readAtIdle = socket.bytesRead;
    connection.timer = setTimeout(() => {
      if (connection.open.size > 0) return;
      if (socket.bytesRead !== connection.readAtIdle) return this.whenIdle(socket, connection);
      lingerClose(socket);
    }, this.graceMs);
  }
}

/** Whether this answer ends its connection (ours, the responder's `Connection: close`, Node's). */
function closes(res: ServerResponse): boolean {
  return !res.shouldKeepAlive || /\bclose\b/i.test(String(res.getHeader('connection') ?? ''));
}

/**
 * FIN, then keep reading until the client closes its side (the socket then closes by itself:
 * both halves ended) or LINGER_MS pass, so late bytes are read rather than answered with a reset.
 */
function lingerClose(socket: Socket): void {
  if (socket.writableEnded || socket.destroyed) return;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
}
