// Better Auth on the server: email + password accounts in SQLite, and the `jwt` plugin that
// issues the tokens the gateway verifies. Built lazily on first use so that `next build`
// never opens a database or needs the secret, and so migrations run before the first request.
// Every token carries its session's id (`sid`), so the gateway can be told to refuse the tokens
// of a session that ended (sign-out) or of a user that is gone (account deletion): lib/revoke.ts.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { APIError } from 'better-auth/api';
import { getMigrations } from 'better-auth/db/migration';
import { nextCookies } from 'better-auth/next-js';
import { jwt } from 'better-auth/plugins';
import type { JWKOptions } from 'better-auth/plugins/jwt';
import { signHs256 } from './hs256';
import { createRevoker, readRevocationSettings, type RevocationSettings, type Revoker } from './revoke';

const MIN_SECRET_BYTES = 32;

export interface AuthSettings {
  baseURL: string;
  secret: string;
  dbFile: string;
  trustedOrigins: string[];
  /** `eddsa` (default): Better Auth's own Ed25519 keys, published at /api/auth/jwks.
   *  `hs256`: signed with the shared BETTER_AUTH_SECRET, for backends that only know the secret. */
  jwtAlg: 'eddsa' | 'hs256';
  jwtExpiresIn: string;
  /** Where and how to tell the gateway about revoked tokens (GATEWAY_ADMIN_URL, GATEWAY_ADMIN_TOKEN). */
  revocation: RevocationSettings;
}

/** Reads and checks the environment once; fails closed on a missing or weak secret. */
export function readAuthSettings(env: Record<string, string | undefined> = process.env): AuthSettings {
  const baseURL = new URL(env.BETTER_AUTH_URL ?? 'http://localhost:3000').origin;
  const secret = env.BETTER_AUTH_SECRET ?? '';
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(
      `BETTER_AUTH_SECRET must be set to at least ${MIN_SECRET_BYTES} bytes (npm start generates one in data/secret)`,
    );
  }
  const jwtAlg = (env.JWT_ALG ?? 'eddsa').toLowerCase();
  if (jwtAlg !== 'eddsa' && jwtAlg !== 'hs256') throw new Error(`JWT_ALG must be eddsa or hs256, got ${jwtAlg}`);
  return {
    baseURL,
    secret,
    dbFile: env.WEB_DB ?? defaultDbFile(),
    trustedOrigins: trustedOriginsFor(baseURL, env.WEB_TRUSTED_ORIGINS),
    jwtAlg,
    jwtExpiresIn: env.JWT_EXPIRES_IN ?? '15m',
    revocation: readRevocationSettings(env),
  };
}

// <repo>/data/web.sqlite when run from web/ (npm start, next start). The ignore comment keeps the
// build's file tracing from copying a local database into its (standalone) output.
function defaultDbFile(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), '..', 'data', 'web.sqlite');
}

// Browsers treat localhost and 127.0.0.1 as different origins; accept both spellings of the
// configured one so a newcomer typing either address can sign in.
function trustedOriginsFor(baseURL: string, extra: string | undefined): string[] {
  const origins = new Set([baseURL]);
  const url = new URL(baseURL);
  if (url.hostname === 'localhost') origins.add(`${url.protocol}//127.0.0.1${url.port ? `:${url.port}` : ''}`);
  if (url.hostname === '127.0.0.1') origins.add(`${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`);
  for (const o of (extra ?? '').split(',')) if (o.trim()) origins.add(new URL(o.trim()).origin);
  return [...origins];
}

function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The claims Better Auth signs: its default (the whole user) plus the session's id. The id is
 *  the session row's public key, never its token (the cookie's secret). */
function payloadWithSessionId({ user, session }: { user: Record<string, unknown>; session: { id: string } }) {
  return { ...user, sid: session.id };
}

/**
 * Revocation at the two moments a token must stop working early:
 * - a session row is deleted (sign-out, revoke-session(s), expiry, the account's deletion):
 *   revoke its `sid`. Best effort: a failure is logged and the session still ends.
 * - an account is deleted: revoke its `sub`, BEFORE anything is deleted. If the gateway does not
 *   confirm it (after bounded retries), the deletion is refused with 503: better to keep the
 *   account, which the user can delete again in a moment, than to leave a working token for a
 *   user who no longer exists. Tokens minted while the deletion runs carry a `sid` whose
 *   session is deleted right after, so the session hook covers them too.
 */
function revocationHooks(revoker: Revoker) {
  return {
    databaseHooks: {
      session: {
        delete: {
          after: async (session: { id: string }) => {
            await revoker.revokeSession(session.id); // never throws: logs, and the session ends anyway
          },
        },
      },
    },
    beforeDelete: async (user: { id: string }) => {
      try {
        await revoker.revokeSubject(user.id, new Date());
      } catch {
        throw new APIError('SERVICE_UNAVAILABLE', {
          code: 'TOKEN_REVOCATION_FAILED',
          message: 'Your account was not deleted: its tokens could not be revoked at the gateway. Please try again in a moment.',
        });
      }
    },
  };
}

/** `nextJs: false` leaves out the Next.js cookie bridge, to run the same config on plain node:http (tests). */
export function createAuth(settings: AuthSettings, { nextJs = true }: { nextJs?: boolean } = {}) {
  const hooks = revocationHooks(createRevoker(settings.revocation));
  return betterAuth({
    baseURL: settings.baseURL,
    secret: settings.secret,
    database: openDatabase(settings.dbFile),
    trustedOrigins: settings.trustedOrigins,
    emailAndPassword: { enabled: true, minPasswordLength: 8 },
    // POST /api/auth/delete-user; the app asks for the password (which also lifts Better Auth's
    // "fresh session" requirement for sessions older than a day).
    user: { deleteUser: { enabled: true, beforeDelete: hooks.beforeDelete } },
    databaseHooks: hooks.databaseHooks,
    plugins: [
      jwt(
        settings.jwtAlg === 'hs256'
          ? {
              // The custom signer replaces the key pair; Better Auth then requires a remote JWKS
              // URL and answers 404 on its own /jwks. Verifiers use the shared secret instead.
              // It also wants the algorithm for its OpenID metadata; its type lists only the
              // asymmetric ones it can generate, but HS256 is what these tokens really use.
              jwks: {
                remoteUrl: `${settings.baseURL}/api/auth/jwks`,
                keyPairConfig: { alg: 'HS256' } as unknown as JWKOptions,
              },
              jwt: {
                expirationTime: settings.jwtExpiresIn,
                definePayload: payloadWithSessionId,
                sign: (payload) => signHs256(payload, settings.secret),
              },
            }
          : { jwt: { expirationTime: settings.jwtExpiresIn, definePayload: payloadWithSessionId } },
      ),
      ...(nextJs ? [nextCookies()] : []), // must stay last: lets server actions set Better Auth's cookies
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

let ready: Promise<Auth> | undefined;

/** The app's Better Auth instance, with its tables created or upgraded before first use. */
export function getAuth(): Promise<Auth> {
  ready ??= (async () => {
    const auth = createAuth(readAuthSettings());
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
    return auth;
  })().catch((err: unknown) => {
    ready = undefined; // let the next request try again instead of caching the failure forever
    throw err;
  });
  return ready;
}
