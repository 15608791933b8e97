// The web app's own Better Auth configuration (lib/auth.ts), served on plain node:http with an
// in-memory database: a real token issuer for the API client's tests, without building Next.js.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';
import { createAuth, readAuthSettings, type Auth } from '../../lib/auth.js';
import type { TokenSource } from '../../lib/api-client.js';
import { TEST_PASSWORD } from './credentials.js';

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
  /** A second (third, …) session for an existing user. */
  signIn(email: string): Promise<TestUser>;
  /** POST /api/auth/delete-user with the password, as the app's "Delete my account" does. */
  deleteAccount(user: TestUser): Promise<Response>;
  /** A TokenSource backed by GET /api/auth/token with this user's session cookie. */
  tokenSource(user: TestUser): TokenSource;
  signOut(user: TestUser): Promise<void>;
  close(): Promise<void>;
}

export interface IssuerOptions {
  jwtAlg?: 'eddsa' | 'hs256';
  jwtExpiresIn?: string;
  /** The gateway admin API to send revocations to (GATEWAY_ADMIN_URL / GATEWAY_ADMIN_TOKEN); off without a token. */
  adminUrl?: string;
  adminToken?: string;
}

function cookieOf(res: Response): string {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

export async function startIssuer(options: IssuerOptions = {}): Promise<RunningIssuer> {
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
      GATEWAY_ADMIN_URL: options.adminUrl,
      GATEWAY_ADMIN_TOKEN: options.adminToken,
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
        body: JSON.stringify({ email, password: TEST_PASSWORD, name: email.split('@')[0] }),
      });
      if (!res.ok) throw new Error(`sign-up failed: HTTP ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { user: { id: string } };
      return { id: body.user.id, email, cookie: cookieOf(res) };
    },
    async signIn(email) {
      const res = await call('/sign-in/email', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: TEST_PASSWORD }),
      });
      if (!res.ok) throw new Error(`sign-in failed: HTTP ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { user: { id: string } };
      return { id: body.user.id, email, cookie: cookieOf(res) };
    },
    deleteAccount(user) {
      return call('/delete-user', {
        method: 'POST',
        headers: { cookie: user.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ password: TEST_PASSWORD }),
      });
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
