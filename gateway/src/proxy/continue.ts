// `Expect: 100-continue` (RFC 9110 §10.1.1) answered only once the request is authorized.
//
// Node answers 100 Continue itself, before any handler runs, unless the server has a
// 'checkContinue' listener: then it delivers such requests through that event instead of
// 'request' and leaves the 100 to us. Routed into the same handler, the request is checked like
// any other; the 100 goes out only when the gateway is about to stream the body upstream.
// A refusal is the final answer without a 100: Node then closes the connection after it
// (`Connection: close`), as the body the client may still send was never read.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Responses whose client is still waiting for a 100 Continue. */
const awaitingContinue = new WeakSet<ServerResponse>();

/** Delivers `Expect: 100-continue` requests to `handler` without Node's automatic 100. */
export function deferContinue(server: Server, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(res);
    handler(req, res);
  });
}

/** The request was authorized and its body is about to be read: let the client send it. */
export function sendContinue(res: ServerResponse): void {
  if (!awaitingContinue.delete(res)) return;
  if (!res.headersSent && !res.destroyed) res.writeContinue();
}
