// A real Better Auth instance (jwt plugin, EdDSA, in memory) on 127.0.0.1:0, for tests
// that must prove the gateway accepts the tokens a user's app actually issues.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { betterAuth } from 'better-auth';
import { toNodeHandler } from 'better-auth/node';
import { jwt } from 'better-auth/plugins';

export interface BetterAuthFixture {
  /** Better Auth's base URL origin: also the tokens' `iss` and `aud`. */
  readonly baseURL: string;
  readonly jwksUrl: string;
  /** Signs a user up over HTTP and fetches a JWT with the new session. */
  signUp(email: string, password: string, name: string): Promise<{ userId: string; token: string }>;
  close(): Promise<void>;
}

export async function startBetterAuth(): Promise<BetterAuthFixture> {
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // No `database`: Better Auth keeps users, sessions and its JWKS in memory.
  const auth = betterAuth({
    baseURL,
    secret: randomBytes(32).toString('base64url'),
    emailAndPassword: { enabled: true },
    plugins: [jwt()],
    logger: { disabled: true },
  });
  server.on('request', toNodeHandler(auth));

  async function signUp(email: string, password: string, name: string): Promise<{ userId: string; token: string }> {
    const signUpResponse = await fetch(`${baseURL}/api/auth/sign-up/email`, {
      method: 'POST',
      // Better Auth refuses sign-up without an Origin (CSRF protection).
      headers: { 'content-type': 'application/json', origin: baseURL },
      body: JSON.stringify({ email, password, name }),
    });
    if (signUpResponse.status !== 200) throw new Error(`sign-up failed: ${signUpResponse.status} ${await signUpResponse.text()}`);
    const { user } = (await signUpResponse.json()) as { user: { id: string } };
    const cookie = signUpResponse.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const tokenResponse = await fetch(`${baseURL}/api/auth/token`, { headers: { cookie } });
    if (tokenResponse.status !== 200) throw new Error(`token failed: ${tokenResponse.status}`);
    const { token } = (await tokenResponse.json()) as { token: string };
    return { userId: user.id, token };
  }

  return {
    baseURL,
    jwksUrl: `${baseURL}/api/auth/jwks`,
    signUp,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
