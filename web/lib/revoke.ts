// Tells the gateway to refuse tokens before their `exp`: POST /revocations on its admin port,
// with the shared admin token. Two callers with opposite needs:
//   - sign-out (and any other end of a session): best effort. The token still dies at its exp
//     (15 minutes), and refusing to sign someone out because the gateway is down would be worse.
//   - account deletion: must be confirmed. A deleted user must not keep a working token, so the
//     caller refuses the deletion when the gateway never says 201 (see lib/auth.ts).
// Neither the admin token nor any JWT is ever logged.
import { setTimeout as delay } from 'node:timers/promises';

const MIN_ADMIN_TOKEN_BYTES = 32;

export interface RevocationSettings {
  /** The gateway's admin origin, e.g. http://127.0.0.1:9090. */
  adminUrl: string;
  /** The gateway's `admin.token`; undefined turns revocation off. */
  adminToken: string | undefined;
  /** Per attempt, until the gateway's answer arrives. */
  timeoutMs: number;
}

/** Reads GATEWAY_ADMIN_URL and GATEWAY_ADMIN_TOKEN; fails closed on a malformed URL or a weak token. */
export function readRevocationSettings(env: Record<string, string | undefined> = process.env): RevocationSettings {
  const raw = env.GATEWAY_ADMIN_URL || 'http://127.0.0.1:9090';
  const url = new URL(raw); // throws on garbage: better than revoking into the void
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`GATEWAY_ADMIN_URL must be http(s), got ${raw}`);
  const adminToken = env.GATEWAY_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && Buffer.byteLength(adminToken, 'utf8') < MIN_ADMIN_TOKEN_BYTES) {
    throw new Error(`GATEWAY_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_BYTES} bytes (the gateway refuses a shorter admin.token)`);
  }
  return { adminUrl: url.origin, adminToken, timeoutMs: 3_000 };
}

export type RevocationTarget = { sid: string } | { sub: string; before?: string } | { jti: string };

/** What the gateway stored (its 201 body). */
export interface RevocationEntry {
  id: string;
  created_at: string;
  expires_at: string;
  [key: string]: unknown;
}

export class RevocationError extends Error {
  constructor(
    message: string,
    /** The gateway's HTTP status, or undefined when it could not be reached. */
    readonly status: number | undefined,
    /** True when trying again may help (unreachable, timeout, 5xx, 429). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'RevocationError';
  }
}

export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

export interface RevokeOptions {
  logger?: Logger;
  /** Attempts for an account deletion's revocation (default 3). */
  subjectAttempts?: number;
  /** Wait before the n-th retry: n × this (default 250 ms). */
  retryDelayMs?: number;
}

export interface Revoker {
  readonly enabled: boolean;
  /** One attempt; throws RevocationError unless the gateway answered 201. */
  post(target: RevocationTarget): Promise<RevocationEntry>;
  /** For the end of a session: never throws; a failure is logged. True when the gateway stored it. */
  revokeSession(sid: string): Promise<boolean>;
  /**
   * For an account deletion: every token of `sub` issued at or before `before` (Better Auth's
   * clock, the one that wrote their `iat`). Retried; throws RevocationError when the gateway
   * never confirmed it. Resolves without doing anything when revocation is off.
   */
  revokeSubject(sub: string, before: Date): Promise<void>;
}

let warnedOff = false;

/** Why a non-201 answer happened, in words an operator can act on. */
function explain(status: number, code: string | undefined): string {
  if (status === 401) return 'the gateway refused GATEWAY_ADMIN_TOKEN (it differs from its admin.token)';
  if (status === 404) return 'the gateway has no revocation endpoint (admin.token unset there, or a gateway without revocation)';
  if (status === 503) return 'the gateway could not reach its revocation store';
  return `the gateway answered HTTP ${status}${code ? ` (${code})` : ''}`;
}

export function createRevoker(settings: RevocationSettings, options: RevokeOptions = {}): Revoker {
  const logger = options.logger ?? console;
  const attempts = Math.max(1, options.subjectAttempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 250;
  const { adminToken } = settings;
  const endpoint = `${settings.adminUrl}/revocations`;

  if (!adminToken && !warnedOff) {
    warnedOff = true;
    logger.warn(
      'revocation is off: GATEWAY_ADMIN_TOKEN is not set, so sign-out and account deletion do not revoke ' +
        'issued tokens at the gateway (they stay valid until their exp)',
    );
  }

  async function post(target: RevocationTarget): Promise<RevocationEntry> {
    if (!adminToken) throw new RevocationError('revocation is off (GATEWAY_ADMIN_TOKEN is not set)', undefined, false);
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(target),
        redirect: 'manual', // a redirect is not a stored revocation, and must not carry the token elsewhere
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (err) {
      const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${settings.timeoutMs} ms` : 'unreachable';
      throw new RevocationError(`the gateway admin API at ${settings.adminUrl} is ${why}`, undefined, true);
    }
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (res.status === 201) return (body ?? {}) as RevocationEntry;
    const code = typeof body?.error === 'string' ? body.error : undefined;
    const retryable = res.status >= 500 || res.status === 429;
    throw new RevocationError(explain(res.status, code), res.status, retryable);
  }

  return {
    enabled: adminToken !== undefined,
    post,
    async revokeSession(sid) {
      if (!adminToken) return false;
      try {
        await post({ sid });
        return true;
      } catch (err) {
        logger.error(
          `could not revoke the tokens of ended session ${sid}: ${(err as Error).message}; they stay valid until their exp`,
        );
        return false;
      }
    },
    async revokeSubject(sub, before) {
      if (!adminToken) return;
      const target = { sub, before: before.toISOString() }; // the same entry on every attempt
      for (let attempt = 1; ; attempt += 1) {
        try {
          await post(target);
          return;
        } catch (err) {
          const failure = err as RevocationError;
          if (!failure.retryable || attempt >= attempts) {
            logger.error(`could not revoke the tokens of user ${sub} after ${attempt} attempt(s): ${failure.message}`);
            throw failure;
          }
          await delay(retryDelayMs * attempt);
        }
      }
    },
  };
}
