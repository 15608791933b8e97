import { SignJWT, type JWTPayload } from 'jose';
import { TEST_ISSUER, TEST_SECRET } from './gateway.js';

const key = new TextEncoder().encode(TEST_SECRET);

/** A real HS256 token for the test issuer of `hs256Config`, valid for 15 minutes unless overridden. */
export async function hs256Token(subject: string, claims: JWTPayload = {}, secret: Uint8Array = key): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: TEST_ISSUER, aud: TEST_ISSUER, sub: subject, iat: now, exp: now + 900, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(secret);
}
