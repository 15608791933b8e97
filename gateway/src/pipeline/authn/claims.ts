// The claim rules, run only on a payload whose signature verified: the registered claims an
// issuer names (iss, aud) and the contract's own rules (exp required and a real date, nbf/iat not
// in the future, the subject's shape). docs/contract.md, "Tokens".

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

export interface ExpectedClaims {
  /** The issuer's configured `iss`, when it names one. */
  readonly issuer?: string | undefined;
  /** The issuer's configured audiences: the token's `aud` must name one of them. */
  readonly audience?: readonly string[] | undefined;
}

/** iss and aud as the issuer names them; checked before the dates, as jose ordered them. */
export function checkRegisteredClaims(payload: Readonly<Record<string, unknown>>, expected: ExpectedClaims, rules: ClaimRules): Denial | undefined {
  const required = ['exp', rules.subjectClaim];
  if (expected.issuer !== undefined) required.push('iss');
  if (expected.audience !== undefined) required.push('aud');
  for (const claim of required) if (!Object.hasOwn(payload, claim)) return MISSING;
  if (expected.issuer !== undefined && payload['iss'] !== expected.issuer) return deny('invalid_token', 'issuer mismatch');
  if (expected.audience !== undefined && !namesAudience(payload['aud'], expected.audience)) return deny('invalid_token', 'audience mismatch');
  return undefined;
}

const MISSING = deny('invalid_token', 'required claim missing');

function namesAudience(aud: unknown, allowed: readonly string[]): boolean {
  if (typeof aud === 'string') return allowed.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && allowed.includes(a));
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
