// The result types of authentication, shared by every authn module and its callers.

import type { Denial } from '../../errors/reasons.js';

/** Who the verified token says the caller is. */
export interface Identity {
  readonly subject: string;
  /** The verified payload, frozen. Read with Object.hasOwn: it is the token's JSON. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The config name of the issuer whose key verified the token. */
  readonly issuer: string;
  readonly expiresAtMs: number;
}

/** Reasons: invalid_token, token_expired, keys_unavailable only. */
export type VerifyResult = { readonly ok: true; readonly identity: Identity; readonly cached: boolean } | Denial;
