// The public port's Node http server: Node's own limits (the first line against slow clients),
// 100-continue deferred until a request is authorized, every header framed and seen, and the
// drain (serving/drain.ts) between the server and the gateway's handler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KEEP_ALIVE_TIMEOUT_MS } from '../config/network.js';
import type { LimitsConfig } from '../config/types.js';
import { deferContinue } from '../proxy/continue.js';
import { ConnectionDrain } from './drain.js';

export interface Listener {
  readonly server: Server;
  readonly drain: ConnectionDrain;
}

export function createListener(limits: LimitsConfig, handler: (req: IncomingMessage, res: ServerResponse) => void): Listener {
  const server = createServer({
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Checked every second, not every 30.
    connectionsCheckingInterval: 1_000,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requireHostHeader: true,
  });
  const drain = new ConnectionDrain(server);
  const handle = drain.wrap(handler);
  server.on('request', handle);
  // Expect: 100-continue is answered only once the request is authorized (proxy/continue.ts).
  deferContinue(server, handle);
  // Node's parser frames the request by every header, but by default hands JS only the first
  // ~1000: a Content-Length or Transfer-Encoding past them escaped the body limit and the body
  // was dropped. No count limit: the 16 KiB header-size limit (431) bounds them instead.
  server.maxHeadersCount = 0;
  return { server, drain };
}
