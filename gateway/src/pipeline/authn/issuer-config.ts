// One issuer entry of auth.issuers[]: its key source, algorithms and expected iss/aud. The
// algorithm lists are where key confusion is stopped: a JWKS issuer never accepts HMAC, a
// shared-secret issuer never accepts a key pair algorithm, and "none" is refused everywhere.
import { indexPath, keyPath, type Problems } from '../../config/problems.js';
import { maybe, readList, readMapping, readString, required, type Reader } from '../../config/read.js';
import { isLoopbackHost, readHttpUrl } from '../../config/network.js';
import { UNRESOLVED } from '../../config/substitute.js';
import type { IssuerConfig } from '../../config/types.js';
import { ASYMMETRIC_ALGORITHMS as ASYMMETRIC_SET, HMAC_ALGORITHMS as HMAC_SET, HMAC_RECOMMENDED_BYTES, MIN_SECRET_BYTES } from './algorithms.js';

// The algorithm lists and the secret floor are the verifier's own (algorithms.ts): the config
// accepts exactly what the runtime can verify.
const ASYMMETRIC_ALGORITHMS = [...ASYMMETRIC_SET];
const HMAC_ALGORITHMS = [...HMAC_SET];

const ISSUER_KEYS = ['name', 'jwks_url', 'secret', 'issuer', 'audience', 'algorithms'];
const ISSUER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

type KeyKind = 'jwks' | 'secret' | 'unknown';

function readAlgorithm(kind: KeyKind): Reader<string> {
  return (value, path, p) => {
    const alg = readString()(value, path, p);
    if (alg === undefined) return undefined;
    if (alg.toLowerCase() === 'none') {
      p.add(path, '"none" (unsigned tokens) is never accepted');
      return undefined;
    }
    const asymmetric = ASYMMETRIC_SET.has(alg);
    const hmac = HMAC_SET.has(alg);
    if (!asymmetric && !hmac) {
      const all: readonly string[] = [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS];
      const sameLetters = all.find((a) => a.toLowerCase() === alg.toLowerCase());
      p.add(path, `unknown algorithm ${JSON.stringify(alg)}${sameLetters ? ` (algorithm names are case-sensitive: did you mean ${sameLetters}?)` : ''}; allowed: ${all.join(', ')}`);
      return undefined;
    }
    if (kind === 'jwks' && hmac) {
      p.add(path, `${alg} is a shared-secret algorithm and is refused on a jwks_url issuer (key confusion: a public key must never be used as an HMAC secret); allowed: ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
      return undefined;
    }
    if (kind === 'secret' && asymmetric) {
      p.add(path, `${alg} needs a key pair (use jwks_url); a secret issuer accepts only ${HMAC_ALGORITHMS.join(', ')}`);
      return undefined;
    }
    return alg;
  };
}

function readAlgorithms(kind: KeyKind): Reader<string[]> {
  return (value, path, p) => {
    const algs = readList(readAlgorithm(kind), { nonEmpty: true, example: kind === 'secret' ? '[HS256]' : '[EdDSA]' })(value, path, p);
    if (algs === undefined) return undefined;
    const dup = algs.findIndex((a, i) => algs.indexOf(a) !== i);
    if (dup >= 0) {
      p.add(indexPath(path, dup), `${algs[dup]} is listed twice`);
      return undefined;
    }
    return algs;
  };
}

const readJwksUrl: Reader<string> = (value, path, p) => {
  const parsed = readHttpUrl(value, path, p);
  if (!parsed) return undefined;
  const { url } = parsed;
  const wrong: string[] = [];
  if (url.username !== '' || url.password !== '') wrong.push('must not contain a user name or password');
  if (url.hash !== '') wrong.push('must not contain a fragment ("#...")');
  for (const w of wrong) p.add(path, w);
  if (wrong.length > 0) return undefined;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    p.warn(path, 'keys fetched over plain http from another host can be replaced in transit; use https');
  }
  return url.href;
};

const readAudience: Reader<string[]> = (value, path, p) => {
  if (typeof value === 'string') {
    const one = readString()(value, path, p);
    return one === undefined ? undefined : [one];
  }
  return readList(readString(), { nonEmpty: true, example: '[https://app.example.com]' })(value, path, p);
};

function readSecret(algorithms: readonly string[] | undefined, fromEnv: ReadonlySet<string>): Reader<string> {
  return (value, path, p) => {
    // Never echo the value: messages below only ever mention its length.
    if (value === UNRESOLVED) return undefined;
    if (value === null || value === undefined) {
      p.add(path, 'has no value; write secret: ${SOME_ENV_VAR} and set that variable');
      return undefined;
    }
    if (typeof value !== 'string') {
      p.add(path, 'must be a string (quote it, or better, write secret: ${SOME_ENV_VAR})');
      return undefined;
    }
    if (value === '') {
      p.add(path, 'must not be empty; make one with: openssl rand -base64 32');
      return undefined;
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes < MIN_SECRET_BYTES) {
      p.add(path, `is too short: ${bytes} bytes, and a shared secret must be at least ${MIN_SECRET_BYTES} bytes (RFC 7518 §3.2, RFC 8725); make one with: openssl rand -base64 32`);
      return undefined;
    }
    // The contract's floor is 32 bytes; RFC 7518 §3.2 asks for the hash size, so say so.
    const recommended = Math.max(MIN_SECRET_BYTES, ...(algorithms ?? []).map((a) => HMAC_RECOMMENDED_BYTES[a] ?? 0));
    if (bytes < recommended) {
      p.warn(path, `is ${bytes} bytes; RFC 7518 §3.2 recommends at least ${recommended} bytes for ${algorithms?.filter((a) => (HMAC_RECOMMENDED_BYTES[a] ?? 0) > bytes).join(', ')}: openssl rand -base64 ${recommended}`);
    }
    if (!fromEnv.has(path)) {
      p.warn(path, 'the secret is written in the config file itself; prefer secret: ${SOME_ENV_VAR} so the file can be shared and the secret rotated without editing it');
    }
    return value;
  };
}

function readIssuer(value: unknown, path: string, p: Problems, fromEnv: ReadonlySet<string>): IssuerConfig | undefined {
  const raw = readMapping(value, path, p, ISSUER_KEYS);
  if (!raw) return undefined;
  const before = p.count;
  const name = required(raw, 'name', path, p, readIssuerName);
  const hasJwks = Object.hasOwn(raw, 'jwks_url');
  const hasSecret = Object.hasOwn(raw, 'secret');
  if (hasJwks === hasSecret) {
    p.add(path, hasJwks ? 'has both jwks_url and secret; an issuer has exactly one key source' : 'needs a key source: jwks_url (key pairs, e.g. Better Auth) or secret (a shared HMAC secret)');
  }
  const kind: KeyKind = hasJwks && !hasSecret ? 'jwks' : hasSecret && !hasJwks ? 'secret' : 'unknown';
  const algorithms = required(raw, 'algorithms', path, p, readAlgorithms(kind));
  const jwksUrl = hasJwks ? required(raw, 'jwks_url', path, p, readJwksUrl) : undefined;
  // The secret must be long enough for every listed HMAC (32 bytes when the list itself is wrong).
  const secret = hasSecret ? required(raw, 'secret', path, p, readSecret(algorithms ?? [], fromEnv)) : undefined;
  const issuer = maybe(raw, 'issuer', path, p, readString());
  const audience = maybe(raw, 'audience', path, p, readAudience);
  if (p.count !== before || name === undefined || algorithms === undefined) return undefined;

  if (kind === 'secret' && (!issuer.present || !audience.present)) {
    const missing = [!issuer.present && 'issuer', !audience.present && 'audience'].filter(Boolean).join(' and ');
    p.warn(path, `shared-secret issuer without ${missing}: anyone holding the secret can mint tokens that pass here, including tokens meant for other services that share it; set ${missing} to what your token signer puts in iss/aud`);
  }
  if (kind === 'jwks' && !issuer.present) {
    p.warn(path, 'no issuer set: tokens are not checked for iss, and this issuer is a candidate for every token with a matching alg; set issuer to the iss your identity provider signs (Better Auth: the origin of its baseURL)');
  }
  if (kind === 'jwks' && !audience.present) {
    p.warn(path, 'no audience set: tokens this identity provider issued for other applications are accepted too; set audience (Better Auth: the origin of its baseURL)');
  }
  const keySource = kind === 'jwks' ? { kind: 'jwks' as const, jwksUrl: jwksUrl! } : { kind: 'secret' as const, secret: secret! };
  return {
    name,
    keySource,
    algorithms,
    ...(issuer.value !== undefined ? { issuer: issuer.value } : {}),
    ...(audience.value !== undefined ? { audience: audience.value } : {}),
  };
}

const readIssuerName: Reader<string> = (value, path, p) => {
  const name = readString()(value, path, p);
  if (name === undefined) return undefined;
  if (!ISSUER_NAME.test(name)) {
    p.add(path, 'must be 1-64 letters, digits, ".", "_" or "-" (it appears in logs and metrics)');
    return undefined;
  }
  return name;
};

export function readIssuers(fromEnv: ReadonlySet<string>): Reader<IssuerConfig[]> {
  return (value, path, p) => {
    const issuers = readList<IssuerConfig | null>((v, itemPath, problems) => readIssuer(v, itemPath, problems, fromEnv) ?? null, {
      nonEmpty: true,
      example: '[{ name: better-auth, jwks_url: ..., algorithms: [EdDSA] }]',
    })(value, path, p);
    if (issuers === undefined) return undefined;
    const seen = new Map<string, number>();
    let ok = true;
    issuers.forEach((issuer, i) => {
      if (!issuer) return;
      const first = seen.get(issuer.name);
      if (first !== undefined) {
        p.add(keyPath(indexPath(path, i), 'name'), `duplicate issuer name ${JSON.stringify(issuer.name)}, also used by ${indexPath(path, first)}`);
        ok = false;
      } else seen.set(issuer.name, i);
    });
    if (!ok || issuers.some((i) => i === null)) return undefined;
    return issuers as IssuerConfig[];
  };
}
