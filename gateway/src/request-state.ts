import type { Verdict } from './pipeline.js';

/** What the gateway learned about a request, read once more when the response ends. */
export interface RequestState {
  readonly startedAt: number;
  verdict?: Verdict;
  upstreamMs?: number;
  denial?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    gateway: RequestState;
  }
}

export function newRequestState(): RequestState {
  return { startedAt: performance.now() };
}
