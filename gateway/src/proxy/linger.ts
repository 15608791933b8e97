// Closing lingering after a refusal whose request body was not read (413 over limits.body).
//
// A response with `Connection: close` makes Node end the socket and destroy it once the answer
// is flushed. With request bytes still arriving, the kernel then answers them with a reset:
// the client, still writing its body, gets EPIPE/ECONNRESET, most clients report that instead
// of the answer, and on a real network the reset also discards an answer not yet delivered.
// So, as Apache and nginx do (`lingering_close`), the gateway half-closes after the answer and
// keeps reading and discarding what the client sends, until the body ends, the client closes,
// LINGER_MS pass or LINGER_BYTES were discarded — then it lets go of the connection. The same
// bounds hold for the rest of a body the upstream answered before reading (discardRest).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Longest a refused connection is kept open to drain its body. */
export const LINGER_MS = 2_000;
/** Most body bytes discarded for a refused request before the connection is let go. */
export const LINGER_BYTES = 4 * 1024 * 1024;

/** Sockets draining a refused body: nothing else that arrives on them is served. */
const lingering = new WeakSet<Socket>();

export function isLingering(socket: Socket): boolean {
  return lingering.has(socket);
}

/**
 * Call before writing a `Connection: close` refusal for a request whose body is not complete.
 * The body is discarded from now on; Node's close after the answer becomes a lingering one.
 */
export function closeLingering(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  let discarded = 0;
  let timer: NodeJS.Timeout | undefined;
  const letGo = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    req.off('data', discard);
    socket.destroy();
  };
  const discard = (chunk: Buffer): void => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) letGo();
  };
  req.on('data', discard);
  req.resume();
  // Node's http server calls destroySoon() once a `Connection: close` answer is finished.
  socket.destroySoon = function lingeringClose(this: Socket): void {
    if (this.writable) this.end(); // the answer, then FIN: the client reads it to the end
    if (req.complete || req.readableEnded) return letGo();
    timer = setTimeout(letGo, LINGER_MS);
    req.once('end', letGo);
    this.once('close', letGo);
  };
  // A client that stops before the answer is written needs no lingering either.
  res.once('close', () => {
    if (!res.writableFinished) letGo();
  });
}

/**
 * The upstream answered before it took the whole body (undici stopped sending it), and that
 * answer keeps the connection: what the client still sends of this body is read and discarded,
 * as Node does for a body nobody read, so the connection can carry the client's next request.
 * Within the same bounds as a refused body: past LINGER_MS or LINGER_BYTES the connection is let go.
 */
export function discardRest(req: IncomingMessage): void {
  const socket = req.socket;
  if (req.complete || req.readableEnded || socket.destroyed || lingering.has(socket)) return;
  let discarded = 0;
  const stop = (): void => {
    clearTimeout(timer);
    req.off('data', discard);
  };
  const letGo = (): void => {
    stop();
    socket.destroy();
  };
  const discard = (chunk: Buffer): void => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) letGo();
  };
  const timer = setTimeout(letGo, LINGER_MS);
  req.on('data', discard);
  req.once('end', stop);
  socket.once('close', stop);
  req.resume();
}
