// Claim rules jose does not enforce by itself (it has already checked signature, iss, aud,
// presence of exp and the subject claim, nbf and exp against the clock). Runs only on a
// verified payload. PRODUCT.md "Tokens → Required claims".

import { deny, type Denial } from '../../errors/reasons.js';

/** Seconds since the epoch larger than this are not a date anyone means (and lose precision). */
const MAX_NUMERIC_DATE = 2 ** 53;

/**
 * Visible ASCII (0x21–0x7E) except `/`, `\` and `%`, 1–255 bytes: a subject that can never be
 * confused with a path separator or a percent-encoding when compared with a URL segment.
 */
const SUBJECT = /^[\x21-\x24\x26-\x2e\x30-\x5b\x5d-\x7e]{1,255}$/;

export interface ClaimRules {
  readonly subjectClaim: string;
  readonly clockToleranceMs: number;
}

export interface CheckedClaims {
  readonly ok: true;
  readonly subject: string;
  readonly expiresAtMs: number;
}

export function checkClaims(payload: Readonly<Record<string, unknown>>, rules: ClaimRules, nowMs: number): CheckedClaims | Denial {
  const exp = payload['exp'];
  if (!isNumericDate(exp)) return deny('invalid_token', 'invalid exp claim');
  for (const name of ['nbf', 'iat'] as const) {
    if (Object.hasOwn(payload, name) && !isNumericDate(payload[name])) return deny('invalid_token', `invalid ${name} claim`);
  }
  const latest = nowMs + rules.clockToleranceMs;
  if (typeof payload['nbf'] === 'number' && payload['nbf'] * 1000 > latest) return deny('invalid_token', 'token not yet valid');
  // jose checks iat only with maxTokenAge; a token "issued" in the future is forged or mis-clocked.
  if (typeof payload['iat'] === 'number' && payload['iat'] * 1000 > latest) return deny('invalid_token', 'token issued in the future');
  if (exp * 1000 <= nowMs - rules.clockToleranceMs) return deny('token_expired', 'token expired');
  const subject = payload[rules.subjectClaim];
  if (typeof subject !== 'string' || !isAcceptableSubject(subject)) return deny('invalid_token', 'invalid subject claim');
  return { ok: true, subject, expiresAtMs: exp * 1000 };
}

/** The subject rule, also applied to revocation entries (a sub the gateway never accepts could never match). */
export function isAcceptableSubject(subject: string): boolean {
  // `.` and `..` pass the character rule but are dot segments: never a user id.
  return SUBJECT.test(subject) && subject !== '.' && subject !== '..';
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_NUMERIC_DATE;
}
