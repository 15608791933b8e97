// The Node floor's token check: the least a gateway must do with a Bearer JWT, done with
// node:crypto directly and synchronously. EdDSA with a KeyObject imported once from the JWKS,
// HS256 with createHmac + timingSafeEqual, then the claims a cached answer depends on (exp,
// nbf, iss, aud, sub). It refuses whatever it cannot prove, so the floor is not a no-op.
import { createHmac, createPublicKey, timingSafeEqual, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface FloorKeys {
  /** Ed25519 public keys by `kid`. */
  readonly eddsa: ReadonlyMap<string, KeyObject>;
  /** The HS256 secret's UTF-8 bytes; undefined: HS256 refused. */
  readonly hs256: Buffer | undefined;
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSec: number;
}

export interface Verified {
  readonly sub: string;
  /** `exp` in seconds: a cached answer is good until exp + tolerance. */
  readonly exp: number;
}

interface JwkLike {
  readonly kty?: unknown;
  readonly crv?: unknown;
  readonly kid?: unknown;
}

/** Imports every Ed25519 key of a JWK Set once, at start-up. */
export function importEd25519Keys(jwks: { readonly keys?: readonly JwkLike[] }): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks.keys ?? []) {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.kid !== 'string') continue;
    keys.set(jwk.kid, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
  }
  return keys;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function signatureValid(alg: unknown, kid: unknown, signingInput: string, signature: Buffer, keys: FloorKeys): boolean {
  if (alg === 'EdDSA') {
    const key = typeof kid === 'string' ? keys.eddsa.get(kid) : undefined;
    return key !== undefined && verify(null, Buffer.from(signingInput, 'latin1'), key, signature);
  }
  if (alg === 'HS256' && keys.hs256) {
    const mac = createHmac('sha256', keys.hs256).update(signingInput, 'latin1').digest();
    return mac.length === signature.length && timingSafeEqual(mac, signature);
  }
  return false;
}

function audienceMatches(aud: unknown, expected: string): boolean {
  return aud === expected || (Array.isArray(aud) && aud.includes(expected));
}

/** The token's subject and expiry when signature and claims hold; undefined otherwise. */
export function verifyToken(token: string, keys: FloorKeys, nowSec: number): Verified | undefined {
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 === token.length - 1 || token.indexOf('.', dot2 + 1) !== -1) return undefined;
  const header = decodeJson(token.slice(0, dot1));
  if (!header) return undefined;
  const signingInput = token.slice(0, dot2);
  if (!signatureValid(header.alg, header.kid, signingInput, Buffer.from(token.slice(dot2 + 1), 'base64url'), keys)) return undefined;
  const claims = decodeJson(token.slice(dot1 + 1, dot2));
  if (!claims) return undefined;
  const { sub, exp, nbf, iss, aud } = claims;
  const leeway = keys.clockToleranceSec;
  if (typeof sub !== 'string' || sub === '') return undefined;
  if (typeof exp !== 'number' || exp + leeway <= nowSec) return undefined;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - leeway > nowSec)) return undefined;
  if (iss !== keys.issuer || !audienceMatches(aud, keys.audience)) return undefined;
  return { sub, exp };
}
