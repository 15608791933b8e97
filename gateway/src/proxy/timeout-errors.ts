// The three ways a forwarded request runs out of time, as error classes the relay and the body
// guard raise, and the one function that names the kind (for metrics, logs and readiness).
import { errors as undiciErrors } from 'undici';

/** upstream_head: no response head within upstream.timeout (queueing included); response_idle: the response stood still for limits.response_idle_timeout; body_idle: the request body did, for limits.body_idle_timeout. */
export type TimeoutKind = 'upstream_head' | 'response_idle' | 'body_idle';

export class ResponseIdleTimeoutError extends Error {
  readonly code = 'response_idle';
  constructor() {
    super('the client read nothing of the response for limits.response_idle_timeout');
  }
}

export class BodyIdleTimeoutError extends Error {
  readonly code = 'body_idle';
  constructor() {
    super('the request body sent nothing for limits.body_idle_timeout');
  }
}

function kindOf(error: unknown): TimeoutKind | undefined {
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) return 'upstream_head';
  // undici's bodyTimeout is the upstream half of the idle rule (it never runs while the relay is paused).
  if (error instanceof ResponseIdleTimeoutError || error instanceof undiciErrors.BodyTimeoutError) return 'response_idle';
  if (error instanceof BodyIdleTimeoutError) return 'body_idle';
  return undefined;
}

/** The time-out behind an error, looking one `cause` deep (undici wraps body errors). */
export function timeoutKind(error: unknown): TimeoutKind | undefined {
  return kindOf(error) ?? (error instanceof Error ? kindOf(error.cause) : undefined);
}
