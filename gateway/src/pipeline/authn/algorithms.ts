// Which JWS algorithms the gateway verifies, and which key types each one needs.
// A token never chooses its own key type: an issuer's key source decides which family of
// algorithms it may use, whatever its config lists (HS* only with a shared secret,
// asymmetric ones only with a JWKS). `none` is in no list, so it can never verify.

export const HMAC_ALGORITHMS: ReadonlySet<string> = new Set(['HS256', 'HS384', 'HS512']);

/** The contract's floor for a shared secret: the UTF-8 bytes of the string, at least 32. */
export const MIN_SECRET_BYTES = 32;
/** RFC 7518 §3.2: an HMAC key should be at least as long as the hash output (warned below it). */
export const HMAC_RECOMMENDED_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** Asymmetric algorithms, each with the JWK `kty` (and `crv`) its public key must have. */
const ASYMMETRIC: ReadonlyMap<string, { readonly kty: string; readonly crv?: string }> = new Map([
  ['RS256', { kty: 'RSA' }],
  ['RS384', { kty: 'RSA' }],
  ['RS512', { kty: 'RSA' }],
  ['PS256', { kty: 'RSA' }],
  ['PS384', { kty: 'RSA' }],
  ['PS512', { kty: 'RSA' }],
  ['ES256', { kty: 'EC', crv: 'P-256' }],
  ['ES384', { kty: 'EC', crv: 'P-384' }],
  ['ES512', { kty: 'EC', crv: 'P-521' }],
  ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }],
  ['Ed25519', { kty: 'OKP', crv: 'Ed25519' }],
]);

export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set(ASYMMETRIC.keys());

/** True when a public JWK of this `kty`/`crv` can verify signatures made with `alg`. */
export function keyFitsAlgorithm(alg: string, kty: unknown, crv: unknown): boolean {
  const need = ASYMMETRIC.get(alg);
  if (need === undefined || need.kty !== kty) return false;
  return need.crv === undefined || need.crv === crv;
}

/** Hash size of an HMAC algorithm, for WebCrypto's importKey. */
export function hmacHash(alg: string): 'SHA-256' | 'SHA-384' | 'SHA-512' {
  if (alg === 'HS384') return 'SHA-384';
  if (alg === 'HS512') return 'SHA-512';
  return 'SHA-256';
}
