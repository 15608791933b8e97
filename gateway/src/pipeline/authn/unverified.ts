// What a token says about itself before anything is verified: only used to pick candidate
// issuers and keys, never trusted. Anything odd here is simply "not a token".

import { decodeJwt, decodeProtectedHeader } from 'jose';
import { MAX_TOKEN_BYTES } from '../credentials/bearer.js';

/** A compact JWS: three non-empty base64url parts. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Far above any real token (Better Auth's are under 1 KiB), far below the header limit. */
/** The credential stage's limit, checked again here for callers that verify a token directly. */
export const MAX_TOKEN_LENGTH = MAX_TOKEN_BYTES;

export interface UnverifiedToken {
  readonly alg: string;
  readonly kid: unknown;
  readonly iss: unknown;
  /** The decoded protected header and payload: trusted only once the signature over them verified. */
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** base64url(header) "." base64url(payload), exactly as sent: what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

export function readUnverified(token: string): UnverifiedToken | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return undefined;
  try {
    const header = decodeProtectedHeader(token);
    const payload = decodeJwt(token);
    if (typeof header.alg !== 'string') return undefined;
    const lastDot = token.lastIndexOf('.');
    return {
      alg: header.alg,
      kid: header.kid,
      iss: payload.iss,
      header,
      payload,
      signingInput: token.slice(0, lastDot),
      signature: Buffer.from(token.slice(lastDot + 1), 'base64url'),
    };
  } catch {
    return undefined;
  }
}
