// The web app's own Better Auth configuration (lib/auth.ts), served on plain node:http with an
// in-memory database: a real token issuer for the API client's tests, without building Next.js.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';
import { createAuth, readAuthSettings, type Auth } from '../../lib/auth.js';
import type { TokenSource } from '../../lib/api-client.js';

export interface TestUser {
  id: string;
  email: string;
  /** The session cookie, as a browser would send it. */
  cookie: string;
}

export interface RunningIssuer {
  origin: string;
  secret: string;
  signUp(email: string): Promise<TestUser>;
  /** A TokenSource backed by GET /api/auth/token with this user's session cookie. */
  tokenSource(user: TestUser): TokenSource;
  signOut(user: TestUser): Promise<void>;
  close(): Promise<void>;
}

export async function startIssuer(options: { jwtAlg?: 'eddsa' | 'hs256'; jwtExpiresIn?: string } = {}): Promise<RunningIssuer> {
  let handler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;
  const server = http.createServer((req, res) => {
    if (!handler) return void res.writeHead(503).end();
    handler(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secret = randomBytes(32).toString('base64url');
  const auth: Auth = createAuth(
    readAuthSettings({
      BETTER_AUTH_URL: origin,
      BETTER_AUTH_SECRET: secret,
      WEB_DB: ':memory:',
      JWT_ALG: options.jwtAlg ?? 'eddsa',
      JWT_EXPIRES_IN: options.jwtExpiresIn ?? '15m',
    }),
    { nextJs: false },
  );
  await (await getMigrations(auth.options)).runMigrations();
  handler = toNodeHandler(auth);

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${origin}/api/auth${path}`, { ...init, headers: { origin, ...(init.headers as Record<string, string>) } });

  return {
    origin,
    secret,
    async signUp(email) {
      const res = await call('/sign-up/email', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'correct horse battery', name: email.split('@')[0] }),
      });
      if (!res.ok) throw new Error(`sign-up failed: HTTP ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { user: { id: string } };
      const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      return { id: body.user.id, email, cookie };
    },
    tokenSource(user) {
      return async () => {
        const res = await call('/token', { headers: { cookie: user.cookie } });
        if (res.status === 401) return null;
        if (!res.ok) throw new Error(`token: HTTP ${res.status}`);
        return ((await res.json()) as { token: string }).token;
      };
    },
    async signOut(user) {
      const res = await call('/sign-out', { method: 'POST', headers: { cookie: user.cookie, 'content-type': 'application/json' }, body: '{}' });
      if (!res.ok) throw new Error(`sign-out failed: HTTP ${res.status}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
