// The signature of a compact JWS, checked synchronously with node:crypto. jose's verification goes
// through WebCrypto, whose asynchronous hop cost ~250 µs per uncached token here; this path costs
// only the signature arithmetic. It verifies exactly the bytes the token carries
// (base64url(header) "." base64url(payload)), never a re-encoding.
//
// What jose checked before and this module keeps: the algorithm is the one the key is for (the
// caller picks the key by alg), RSA keys have at least 2048-bit moduli, HMAC compares in constant
// time, ECDSA signatures are IEEE P1363 (r‖s) of the curve's exact length, and any `crit` header is
// refused (the gateway understands no JWS extension; `b64: false` is never valid for a JWT).

import { createHmac, KeyObject, constants, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import type { CryptoKey } from 'jose';

const HASH: Readonly<Record<string, string>> = {
  HS256: 'sha256', HS384: 'sha384', HS512: 'sha512',
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
};

/** WebCrypto keys (what the key sets import) as node:crypto KeyObjects, converted once per key. */
const keyObjects = new WeakMap<CryptoKey, KeyObject>();

function keyObjectOf(key: CryptoKey): KeyObject {
  let object = keyObjects.get(key);
  if (object === undefined) {
    object = KeyObject.from(key as unknown as Parameters<typeof KeyObject.from>[0]);
    keyObjects.set(key, object);
  }
  return object;
}

/** True only when `signature` is a valid signature of `signingInput` under `key` for `alg`. */
export function verifyJwsSignature(alg: string, key: CryptoKey, signingInput: string, signature: Buffer): boolean {
  const keyObject = keyObjectOf(key);
  const data = Buffer.from(signingInput, 'latin1'); // base64url text: ASCII
  if (alg.startsWith('HS')) {
    const expected = createHmac(HASH[alg]!, keyObject).update(data).digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  if (alg === 'EdDSA' || alg === 'Ed25519') return cryptoVerify(null, data, keyObject, signature);
  const hash = HASH[alg];
  if (hash === undefined) return false;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) return false;
    if (alg.startsWith('RS')) return cryptoVerify(hash, data, keyObject, signature);
    return cryptoVerify(hash, data, { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  }
  // ES*: node checks the P1363 length against the key's curve and refuses r = 0 or s = 0.
  return cryptoVerify(hash, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature);
}
