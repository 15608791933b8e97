// Tokens of both kinds the gateway accepts: HS256 with a shared secret (the seed's
// BETTER_AUTH_SECRET) and EdDSA from a JWKS (what Better Auth's jwt plugin serves).
// Everything is generated per run; nothing here is a real credential.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export const BENCH_ISSUER = 'http://bench.invalid';
export const BENCH_AUDIENCE = 'http://bench.invalid';
/** Better Auth's tokens live 15 minutes; a bench run stays well inside that. */
export const TOKEN_LIFETIME_SEC = 15 * 60;

export type TokenKind = 'HS256' | 'EdDSA';

export interface BenchKeys {
  /** ≥ 32 bytes of printable ASCII: the gateway takes the secret's UTF-8 bytes. */
  readonly secret: string;
  readonly edPrivate: CryptoKey;
  readonly jwks: { keys: JWK[] };
  readonly kid: string;
  /** The gateway's admin.token (≥ 32 bytes): the bench fills the revocation list through the admin API with it. */
  readonly adminToken: string;
}

export async function generateBenchKeys(): Promise<BenchKeys> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = `bench-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { secret: randomBytes(32).toString('base64url'), edPrivate: privateKey, jwks: { keys: [jwk] }, kid, adminToken: randomBytes(32).toString('base64url') };
}

/** The session every token of a subject names (`sid`): the bench's revocation entries name others. */
export function benchSessionId(subject: string): string {
  return `bench-session-${subject}`;
}

/**
 * A token as Better Auth mints it (sub, email, iat, exp, iss, aud), plus a `jti` and a `sid`: with
 * them the gateway's revocation check does all three of its lookups (subject, jti, sid) on every
 * request of the revocations row, its most expensive case.
 */
export async function mintToken(keys: BenchKeys, kind: TokenKind, subject: string, nowSec = Math.floor(Date.now() / 1000)): Promise<string> {
  const jwt = new SignJWT({ email: `${subject}@bench.invalid`, sid: benchSessionId(subject) })
    .setSubject(subject)
    .setJti(randomBytes(12).toString('base64url'))
    .setIssuer(BENCH_ISSUER)
    .setAudience(BENCH_AUDIENCE)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + TOKEN_LIFETIME_SEC);
  if (kind === 'HS256') return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(keys.secret));
  return jwt.setProtectedHeader({ alg: 'EdDSA', kid: keys.kid, typ: 'JWT' }).sign(keys.edPrivate);
}

export interface JwksServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the public key set the way Better Auth's /api/auth/jwks does. */
export async function startJwksServer(jwks: { keys: JWK[] }): Promise<JwksServer> {
  const body = JSON.stringify(jwks);
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
