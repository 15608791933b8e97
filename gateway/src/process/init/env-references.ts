// The ${VAR} references a generated config contains: listed in its header comment, and stood in
// for while init validates the file when the shell running init does not have them.
import { ISSUER_ENV, JWKS_ENV } from './issuers.js';
import { UPSTREAM_ENV } from './upstream.js';

export interface EnvReference {
  readonly name: string;
  /** The `:-default`, when the reference has one. */
  readonly fallback?: string;
}

const MEANING: Readonly<Record<string, string>> = {
  GATEWAY_HOST: 'public address to listen on',
  GATEWAY_PORT: 'public port',
  GATEWAY_ADMIN_PORT: 'admin port (/metrics, /healthz, /readyz)',
  [UPSTREAM_ENV]: 'the service behind the gateway',
  [ISSUER_ENV]: 'the iss and aud tokens must carry (Better Auth: its baseURL)',
  [JWKS_ENV]: "Better Auth's JWK Set URL",
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
};

// The same grammar as the config's own substitution (config/substitute.ts); only names are needed here.
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Every reference in the tree's string values, first occurrence first. */
export function envReferences(tree: unknown): EnvReference[] {
  const found = new Map<string, EnvReference>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(REFERENCE)) {
        const name = m[1]!;
        if (!found.has(name)) found.set(name, m[2] !== undefined ? { name, fallback: m[2] } : { name });
      }
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(tree);
  return [...found.values()];
}

/** "UPSTREAM_URL  the service behind the gateway (default http://127.0.0.1:8000)" */
export function describeReferences(refs: readonly EnvReference[], secretEnv: string | undefined): string[] {
  const width = Math.max(0, ...refs.map((r) => r.name.length));
  return refs.map((ref) => {
    const meaning = ref.name === secretEnv ? 'the HS256 shared secret, at least 32 bytes' : (MEANING[ref.name] ?? 'given on the command line');
    const fallback = ref.fallback !== undefined ? ` (default ${ref.fallback})` : ' (required: no default)';
    return `${ref.name.padEnd(width)}  ${meaning}${fallback}`;
  });
}
