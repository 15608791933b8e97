// HS256 (HMAC-SHA256) JWT signing with the shared secret, for Better Auth's custom `jwt.sign`.
// Better Auth's own signer refuses symmetric keys, so this is the only way to issue tokens a
// backend can verify with BETTER_AUTH_SECRET alone (the seed's original design).
import { createHmac } from 'node:crypto';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(payload)}`;
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
