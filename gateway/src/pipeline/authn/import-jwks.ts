// Turns a fetched JWKS document into verification keys, imported once per fetch.
// Only the public members of each JWK are imported (a stray `d` or `key_ops` never matters),
// and only keys that fit one of the issuer's algorithms: other key types, `use: enc`, keys
// whose own `alg` is not allowed, and keys that fail to import are skipped, not fatal.

import { importJWK, type CryptoKey, type JWK } from 'jose';
import { keyFitsAlgorithm } from './algorithms.js';

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly alg: string;
  readonly key: CryptoKey;
}

export interface ImportedKeySet {
  readonly keys: readonly VerificationKey[];
  /** Canonical text of the usable public keys: equal fingerprints mean the same key set. */
  readonly fingerprint: string;
  /** How many JWKs the document lists; past MAX_JWKS_KEYS, the rest were not read. */
  readonly listed: number;
  /** The kids of every JWK read, usable or not: a token naming one is no sign of a rotation. */
  readonly kids: ReadonlySet<string>;
}

/**
 * Only the first this many JWKs of a document are read, in document order; the rest are
 * ignored (the key set reports it, and the gateway logs a warning naming the issuer). A key set
 * is a handful of keys, not a workload: each key is imported on every fetch.
 */
export const MAX_JWKS_KEYS = 100;
/** A `kid` longer than this is not a key id anyone issues; such keys are skipped. */
export const MAX_KID_LENGTH = 256;

export class JwksFormatError extends Error {}

export async function importJwks(document: unknown, algorithms: ReadonlySet<string>): Promise<ImportedKeySet> {
  if (typeof document !== 'object' || document === null || !Array.isArray((document as { keys?: unknown }).keys)) {
    throw new JwksFormatError('key set document has no "keys" array');
  }
  const listed = (document as { keys: unknown[] }).keys;
  const keys: VerificationKey[] = [];
  const fingerprints: string[] = [];
  const kids = new Set<string>();
  for (const jwk of listed.slice(0, MAX_JWKS_KEYS)) {
    const listedKid = typeof jwk === 'object' && jwk !== null ? (jwk as { kid?: unknown }).kid : undefined;
    if (typeof listedKid === 'string' && listedKid.length <= MAX_KID_LENGTH) kids.add(listedKid);
    const publicJwk = publicPart(jwk);
    if (publicJwk === undefined) continue;
    const kid = (jwk as { kid?: unknown }).kid;
    const ownAlg = (jwk as { alg?: unknown }).alg;
    for (const alg of algorithms) {
      if (ownAlg !== undefined && ownAlg !== alg) continue;
      if (!keyFitsAlgorithm(alg, publicJwk.kty, publicJwk.crv)) continue;
      try {
        const key = await importJWK({ ...publicJwk }, alg);
        if (key instanceof Uint8Array) continue; // only a symmetric JWK imports as bytes
        keys.push({ kid: kid as string | undefined, alg, key });
        fingerprints.push(JSON.stringify([kid ?? null, alg, publicJwk]));
      } catch {
        // Malformed key material: skip this key, keep the rest.
      }
    }
  }
  return { keys, fingerprint: fingerprints.sort().join('\n'), listed: listed.length, kids };
}

/** The public members of a signature JWK we can use, or undefined when it is not one. */
function publicPart(jwk: unknown): JWK | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const j = jwk as Record<string, unknown>;
  if (j['use'] !== undefined && j['use'] !== 'sig') return undefined;
  if (j['kid'] !== undefined && (typeof j['kid'] !== 'string' || j['kid'].length > MAX_KID_LENGTH)) return undefined;
  if (Array.isArray(j['key_ops']) && !j['key_ops'].includes('verify')) return undefined;
  const str = (name: string): string | undefined => (typeof j[name] === 'string' ? (j[name] as string) : undefined);
  switch (j['kty']) {
    case 'RSA': {
      const n = str('n'), e = str('e');
      return n && e ? { kty: 'RSA', n, e } : undefined;
    }
    case 'EC': {
      const crv = str('crv'), x = str('x'), y = str('y');
      return crv && x && y ? { kty: 'EC', crv, x, y } : undefined;
    }
    case 'OKP': {
      const crv = str('crv'), x = str('x');
      return crv && x ? { kty: 'OKP', crv, x } : undefined;
    }
    default:
      return undefined;
  }
}
