// The public port: Node's http server (listener.ts) with one handler. Each request is decided
// by the pipeline, then either the responder answers (refusal, preflight) or the proxy forwards;
// the outcome value is observed once. What a request is handled with is one immutable state
// (state.ts) read once per request, so a reload swaps it without touching requests in flight.
//
// node:http, not fastify: the gateway used fastify at one step only (an onRequest hook that
// hijacked the reply), and measured side by side the same floor proxy cost ~15-20% more CPU per
// request behind that hook than on node:http alone (README, "Why node:http on the public port").
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { LimitsConfig } from '../config/types.js';
import { deny, type Denial } from '../errors/reasons.js';
import type { Observe } from '../observe/observer.js';
import type { Verdict } from '../pipeline/index.js';
import { answer, type Answered } from './answer.js';
import { answerClientError } from './client-error.js';
import type { ConnectionDrain } from './drain.js';
import type { ServingHolder } from './holder.js';
import { createListener } from './listener.js';
import type { ServingState } from './state.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface PublicApp {
  readonly server: Server;
  /** The listener's connections, for a graceful stop. */
  readonly drain: ConnectionDrain;
}

/** A client's own X-Request-Id when it is safe to log and echo, else a fresh one. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

export function buildPublicApp(log: Logger, serving: ServingHolder, observe: Observe, limits: LimitsConfig): PublicApp {
  const answered: Answered = { observe, unexpected };

  /** Whatever fails unexpectedly is still answered in the contract's format, without details. */
  function unexpected(error: unknown, req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number): void {
    log.error({ err: error, request_id: requestId }, 'unexpected error');
    refuse(req, res, requestId, startedAt, deny('internal_error'));
  }

  /** The gateway's own refusal; should even that fail, the connection is cut rather than left hanging. */
  function refuse(req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, denial: Denial): void {
    if (res.headersSent || res.destroyed) return;
    try {
      // A denial is answered at once: answer() never hands it to `unexpected`, it throws.
      answer(serving.hold(), req, res, requestId, startedAt, { kind: 'deny', denial }, answered);
    } catch (error) {
      log.error({ err: error, request_id: requestId }, 'unexpected error');
      res.destroy();
    }
  }

  function settle(state: ServingState, req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, verdict: Verdict): void {
    try {
      answer(state, req, res, requestId, startedAt, verdict, answered);
    } catch (error) {
      unexpected(error, req, res, requestId, startedAt);
    }
  }

  // Every request is decided and answered here. The body stays unread until the proxy streams it.
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = performance.now();
    const requestId = requestIdOf(req);
    const state = serving.hold();
    let decided: Verdict | Promise<Verdict>;
    try {
      decided = state.decide(req);
    } catch (error) {
      state.release();
      return unexpected(error, req, res, requestId, startedAt);
    }
    if (!(decided instanceof Promise)) return settle(state, req, res, requestId, startedAt, decided);
    decided.then(
      (verdict) => settle(state, req, res, requestId, startedAt, verdict),
      (error: unknown) => {
        state.release();
        unexpected(error, req, res, requestId, startedAt);
      },
    );
  }

  const { server, drain } = createListener(limits, handle);
  // What Node's parser refuses before any handler runs is answered in the gateway's format too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket as Socket));
  return { server, drain };
}
