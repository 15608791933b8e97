// Who may issue tokens: from the flags when given, else Better Auth placeholders that read the
// same environment variables as config/gateway.yaml, so one .env serves both files.
import type { InitOptions } from './args.js';
import type { AuthPlan, IssuerPlan } from './plan.js';

export const ISSUER_ENV = 'BETTER_AUTH_URL';
export const JWKS_ENV = 'BETTER_AUTH_JWKS_URL';
export const DEFAULT_ISSUER = 'http://localhost:3000';
/** Better Auth's jwt plugin publishes its keys here, under its baseURL. */
export const BETTER_AUTH_JWKS_PATH = '/api/auth/jwks';

type IssuerFlags = Pick<InitOptions, 'jwksUrl' | 'issuer' | 'secretEnv'>;

export function planAuth(flags: IssuerFlags): AuthPlan {
  const review: string[] = [];
  const guessedIssuer = originOf(flags.jwksUrl) ?? DEFAULT_ISSUER;
  const issuer = flags.issuer ?? `\${${ISSUER_ENV}:-${guessedIssuer}}`;
  if (flags.issuer === undefined) {
    review.push(`tokens must carry iss and aud = $${ISSUER_ENV} (default ${guessedIssuer}, Better Auth's rule: the origin of its baseURL); set it, or run init with --issuer`);
  }

  const issuers: IssuerPlan[] = [];
  // A JWKS issuer unless the only key source asked for is a shared secret.
  if (flags.jwksUrl !== undefined || flags.secretEnv === undefined) {
    issuers.push({
      name: 'better-auth',
      jwksUrl: flags.jwksUrl ?? jwksFor(flags.issuer, review),
      issuer,
      audience: issuer,
      algorithms: ['EdDSA'],
      comment: [
        'Key pairs published as a JWK Set (Better Auth jwt plugin: <baseURL>/api/auth/jwks).',
        'EdDSA is Better Auth\'s default; list RS256, ES256, ... instead if your issuer signs with those.',
      ],
    });
  }
  if (flags.secretEnv !== undefined) {
    issuers.push({
      name: 'shared-secret',
      secret: `\${${flags.secretEnv}}`,
      issuer,
      audience: issuer,
      algorithms: ['HS256'],
      comment: [
        `HS256 tokens signed with the secret in $${flags.secretEnv} (at least 32 bytes: openssl rand -base64 32).`,
        'There is no default, on purpose: the gateway refuses to start until it is set.',
      ],
    });
  }
  return { issuers, review, requiredEnv: flags.secretEnv !== undefined ? [flags.secretEnv] : [] };
}

function jwksFor(issuerFlag: string | undefined, review: string[]): string {
  if (issuerFlag !== undefined) {
    review.push(`jwks_url derived from --issuer (Better Auth's ${BETTER_AUTH_JWKS_PATH}); run init with --jwks-url if the keys are elsewhere`);
    return `${issuerFlag.replace(/\/+$/, '')}${BETTER_AUTH_JWKS_PATH}`;
  }
  review.push(`keys fetched from $${JWKS_ENV} (default ${DEFAULT_ISSUER}${BETTER_AUTH_JWKS_PATH}); set it, or run init with --jwks-url`);
  return `\${${JWKS_ENV}:-${DEFAULT_ISSUER}${BETTER_AUTH_JWKS_PATH}}`;
}

function originOf(url: string | undefined): string | undefined {
  if (url === undefined || url.includes('${')) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined; // the config parser reports a bad --jwks-url with its key path
  }
}
