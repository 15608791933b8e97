// Test helpers: real key pairs, real signatures, a real JWKS server on 127.0.0.1:0.
// Shared by the authn unit tests and the gateway's end-to-end tests.

import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export type AsymmetricAlg = 'EdDSA' | 'ES256' | 'ES384' | 'RS256' | 'PS256';

export interface TestKeyPair {
  readonly alg: AsymmetricAlg;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public JWK as a key server publishes it: kid, alg, use=sig. */
  readonly publicJwk: JWK;
}

let kidCounter = 0;

/** A fresh asymmetric key pair with a unique kid (or the one given). */
export async function generateTestKeyPair(alg: AsymmetricAlg, kid = `kid-${alg}-${++kidCounter}-${process.pid}`): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, publicJwk };
}

/** A secret of the given length in bytes (HS256 needs ≥ 32 for the gateway). */
export function testSecret(bytes = 48): string {
  return randomBytes(bytes).toString('base64url').slice(0, bytes);
}

export interface SignOptions {
  readonly alg: string;
  /** A private CryptoKey, or a shared secret as a string / bytes. */
  readonly key: CryptoKey | string | Uint8Array;
  /** Omitted → no kid header. */
  readonly kid?: string;
  /** Extra protected-header members (typ, jwk, jku, crit, …). */
  readonly header?: Record<string, unknown>;
}

/** Signs the payload exactly as given (no claims added): the test decides iat, exp, sub. */
export async function signToken(payload: JWTPayload, options: SignOptions): Promise<string> {
  const key = typeof options.key === 'string' ? new TextEncoder().encode(options.key) : options.key;
  const header = { ...options.header, alg: options.alg, ...(options.kid === undefined ? {} : { kid: options.kid }) };
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
}

/** Seconds since the epoch, as JWT numeric dates are. */
export function epochSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}

export function base64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * A token assembled by hand from header and payload JSON and raw signature bytes: for the
 * forgeries no signing library will produce (alg none, zero signatures, 1e400 exp, …).
 * Strings are used verbatim as JSON text; objects are JSON.stringify'd.
 */
export function craftToken(header: object | string, payload: object | string, signature: Uint8Array | string = ''): string {
  const json = (part: object | string): string => base64url(typeof part === 'string' ? part : JSON.stringify(part));
  return `${json(header)}.${json(payload)}.${typeof signature === 'string' ? signature : base64url(signature)}`;
}

/** Signs a hand-written header and payload (JSON text kept byte for byte) with an HMAC secret. */
export function hs256SignRaw(headerJson: string, payloadJson: string, secret: string | Uint8Array): string {
  const input = `${base64url(headerJson)}.${base64url(payloadJson)}`;
  const mac = createHmac('sha256', typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret).update(input).digest();
  return `${input}.${base64url(mac)}`;
}

/** How the JWKS server answers. */
export type JwksMode =
  | 'ok' //         200 with the current keys
  | 'down' //       the connection is destroyed at once (like a crashed server)
  | 'error' //      503
  | 'hang' //       never answers
  | 'garbage' //    200, body that is not JSON
  | 'html' //       200, an HTML login page
  | 'huge' //       200, a valid-looking JSON body of several MiB
  | 'no-keys' //    200, {"keys": []}
  | 'redirect'; //  302 to another URL

export interface JwksServer {
  readonly url: string;
  /** Requests received so far (every mode counts). */
  readonly requests: number;
  setKeys(keys: readonly (TestKeyPair | JWK)[]): void;
  setMode(mode: JwksMode, redirectTo?: string): void;
  /** Resolves when the server has received at least `count` requests in total. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startJwksServer(keys: readonly (TestKeyPair | JWK)[] = []): Promise<JwksServer> {
  let jwks: JWK[] = toJwks(keys);
  let mode: JwksMode = 'ok';
  let redirectTarget = 'http://127.0.0.1:1/';
  let requests = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    requests++;
    for (const waiter of [...waiters]) {
      if (requests >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    switch (mode) {
      case 'ok':
        return send(res, 200, 'application/json', JSON.stringify({ keys: jwks }));
      case 'no-keys':
        return send(res, 200, 'application/json', '{"keys":[]}');
      case 'down':
        req.socket.destroy();
        return;
      case 'error':
        return send(res, 503, 'text/plain', 'unavailable');
      case 'hang':
        hanging.add(res);
        return;
      case 'garbage':
        return send(res, 200, 'application/json', '{"keys": [ {"kty": "OKP", ');
      case 'html':
        return send(res, 200, 'text/html', '<!doctype html><html><body>Please log in</body></html>');
      case 'huge': {
        // Valid JSON, 4 MiB, streamed without a Content-Length.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[],"padding":"');
        const chunk = 'x'.repeat(64 * 1024);
        let sent = 0;
        const pump = (): void => {
          while (sent < 64) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"}');
        };
        res.on('error', () => undefined);
        return pump();
      }
      case 'redirect':
        res.writeHead(302, { location: redirectTarget });
        return void res.end();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get requests() {
      return requests;
    },
    setKeys(next) {
      jwks = toJwks(next);
    },
    setMode(next, redirectTo) {
      mode = next;
      if (redirectTo !== undefined) redirectTarget = redirectTo;
    },
    waitForRequests(count) {
      if (requests >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function toJwks(keys: readonly (TestKeyPair | JWK)[]): JWK[] {
  // Anything that is not a TestKeyPair is published as given (tests publish junk on purpose).
  return keys.map((key) => (typeof key === 'object' && key !== null && 'publicJwk' in key ? (key as TestKeyPair).publicJwk : (key as JWK)));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
