// Shared helpers for the end-to-end attack tests (test/e2e/threats-*.test.ts): one way to
// call the gateway with a verbatim request target, one way to assert a denial, a config with
// a JWKS issuer next to a shared-secret one, and raw signing for forgeries jose will not make.

import { constants, KeyObject, sign as cryptoSign } from 'node:crypto';
import { expect } from 'vitest';
import { Client } from 'undici';
import type { JWTPayload } from 'jose';
import { TASK_ROUTES, TEST_ISSUER } from './gateway.js';
import { base64url, epochSeconds, signToken, type TestKeyPair } from './tokens.js';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface CallOptions {
  readonly method?: string;
  /** Sent verbatim: undici's Client does not re-encode or normalise it. */
  readonly path: string;
  /** A record, or a flat [name, value, …] list to send duplicates and exact casing. */
  readonly headers?: Record<string, string> | string[];
  readonly body?: string | Buffer;
}

/** One request on a fresh connection, read to the end. */
export async function call(baseUrl: string, options: CallOptions): Promise<Reply> {
  const client = new Client(baseUrl);
  try {
    const res = await client.request({
      method: (options.method ?? 'GET') as 'GET',
      path: options.path,
      headers: options.headers ?? {},
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers as Reply['headers'], text };
  } finally {
    await client.close();
  }
}

/** The gateway's JSON error format, with the status and reason docs/contract.md names. */
export function expectDenial(reply: Reply, status: number, reason: string): Record<string, unknown> {
  expect(reply.status, reply.text).toBe(status);
  expect(String(reply.headers['content-type'])).toContain('application/json');
  const body = JSON.parse(reply.text) as Record<string, unknown>;
  expect(body).toMatchObject({ reason });
  expect(typeof body['error']).toBe('string');
  expect(typeof body['message']).toBe('string');
  expect(body['request_id']).toBe(reply.headers['x-request-id']);
  return body;
}

/** A raw HTTP/1.1 request from header lines (CRLF-joined, blank line added) and an optional body. */
export function rawRequest(lines: readonly string[], body = ''): string {
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The `Host` header value a client of `baseUrl` sends. */
export function hostOf(baseUrl: string): string {
  return new URL(baseUrl).host;
}

/** `iss` and `aud` of the JWKS issuer in `jwksAndSecretConfig`. */
export const JWKS_ISSUER = 'https://auth.test';

export interface JwksConfigOptions {
  readonly upstreamUrl: string;
  readonly jwksUrl: string;
  readonly jwksAlgorithms?: readonly string[];
  /** Also accept HS256 tokens of TEST_ISSUER signed with ${TEST_SECRET} (default true). */
  readonly withSecretIssuer?: boolean;
  /** Extra lines inside `auth:` (two-space indented keys like `  jwks_cooldown: 100ms`). */
  readonly authExtra?: string;
  /** Extra top-level YAML. */
  readonly extra?: string;
}

/** A gateway config with a JWKS issuer (first) and, unless turned off, the shared-secret issuer of hs256Config. */
export function jwksAndSecretConfig(options: JwksConfigOptions): string {
  const secretIssuer = options.withSecretIssuer === false
    ? ''
    : `
    - name: shared-secret
      secret: \${TEST_SECRET}
      algorithms: [HS256]
      issuer: ${TEST_ISSUER}
      audience: ${TEST_ISSUER}`;
  return `
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
upstream:
  url: ${options.upstreamUrl}
  timeout: 2s
auth:
  issuers:
    - name: key-pairs
      jwks_url: ${options.jwksUrl}
      issuer: ${JWKS_ISSUER}
      audience: ${JWKS_ISSUER}
      algorithms: [${(options.jwksAlgorithms ?? ['EdDSA', 'ES256', 'RS256']).join(', ')}]${secretIssuer}
${options.authExtra ?? ''}
identity_headers:
  x-user-id: sub
  x-user-email: email
cors:
  origins: [http://localhost:3000]
${TASK_ROUTES}
${options.extra ?? ''}`;
}

/** A valid token of the JWKS issuer, signed by `pair` with its kid (15 minutes unless overridden). */
export function keyPairToken(pair: TestKeyPair, subject: string, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = epochSeconds();
  return signToken(
    { iss: JWKS_ISSUER, aud: JWKS_ISSUER, sub: subject, iat: now, exp: now + 900, ...claims },
    { alg: pair.alg, key: pair.privateKey, kid: pair.kid, header },
  );
}

/**
 * Signs hand-written header and payload JSON (kept byte for byte) with a key pair's private
 * key: for headers jose refuses to produce (`crit` it does not know, odd `kid` types, …).
 */
export function signRawWithKeyPair(headerJson: string, payloadJson: string, pair: TestKeyPair, alg: string = pair.alg): string {
  const input = `${base64url(headerJson)}.${base64url(payloadJson)}`;
  const key = KeyObject.from(pair.privateKey);
  const data = Buffer.from(input, 'ascii');
  let signature: Buffer;
  switch (alg) {
    case 'EdDSA':
      signature = cryptoSign(null, data, key);
      break;
    case 'ES256':
      signature = cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
      break;
    case 'ES384':
      signature = cryptoSign('sha384', data, { key, dsaEncoding: 'ieee-p1363' });
      break;
    case 'RS256':
      signature = cryptoSign('sha256', data, key);
      break;
    case 'PS256':
      signature = cryptoSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      break;
    default:
      throw new Error(`signRawWithKeyPair: ${alg} not supported`);
  }
  return `${input}.${base64url(signature)}`;
}

/** The upstream address in every spelling an error body might leak it. */
export function expectNoUpstreamAddress(text: string, upstreamUrl: string): void {
  const { host, port } = new URL(upstreamUrl);
  expect(text).not.toContain(host);
  expect(text).not.toContain(`:${port}`);
}
