// The command line of `gateway init`. Anything odd here is exit 2, before anything is read.
import { parseArgs } from 'node:util';
import { usageError } from './init-error.js';

export const INIT_USAGE = `Usage:
  gateway init --openapi <url|file> [--out FILE [--force]] [--owner-param NAME] [--upstream URL]
               [--public PATH]... [--jwks-url URL] [--issuer ISS] [--secret-env NAME]

  --openapi      the API's OpenAPI 3.x document: an http(s) URL or a file, JSON or YAML
  --out          write the config here (default: stdout); an existing file is kept unless --force
  --force        overwrite the --out file if it exists
  --owner-param  the path parameter that must equal the token subject (default: user_id)
  --upstream     the service's URL (default: from servers[0].url, else the URL the document came from)
  --public       an OpenAPI path (/health) that needs no token; repeat for several
  --jwks-url     the issuer's JWK Set (Better Auth: <baseURL>/api/auth/jwks)
  --issuer       the tokens' iss, also required as aud (Better Auth sets both to its baseURL origin)
  --secret-env   also accept HS256 tokens signed with the secret in this environment variable`;

export interface InitOptions {
  readonly openapi: string;
  readonly out: string | undefined;
  readonly force: boolean;
  readonly ownerParam: string;
  readonly upstream: string | undefined;
  readonly publicPaths: readonly string[];
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly secretEnv: string | undefined;
}

export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: InitOptions };

const OPTIONS = {
  openapi: { type: 'string' },
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  'owner-param': { type: 'string' },
  upstream: { type: 'string' },
  public: { type: 'string', multiple: true },
  'jwks-url': { type: 'string' },
  issuer: { type: 'string' },
  'secret-env': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The gateway's own parameter-name rule is checked again by its template parser; this only
// stops a name that could never appear in any template from silently matching nothing.
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseInitArgs(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, tokens } = parsed;
  if (values.help) return { help: true };

  // parseArgs keeps the last of a repeated option; a second --out is more likely a typo than a wish.
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === 'public') continue;
    if (seen.has(token.name)) throw usageError(`--${token.name} is given twice`);
    seen.add(token.name);
  }

  const nonEmpty = (name: keyof typeof OPTIONS, value: string | undefined): string | undefined => {
    if (value !== undefined && value.trim() === '') throw usageError(`--${name} needs a value`);
    return value;
  };
  const openapi = nonEmpty('openapi', values.openapi);
  if (openapi === undefined) throw usageError('--openapi <url|file> is required');
  const ownerParam = nonEmpty('owner-param', values['owner-param']) ?? 'user_id';
  if (!PARAM_NAME.test(ownerParam)) throw usageError(`--owner-param ${JSON.stringify(ownerParam)}: a gateway path parameter is letters, digits and "_", not starting with a digit`);
  const secretEnv = nonEmpty('secret-env', values['secret-env']);
  if (secretEnv !== undefined && !ENV_NAME.test(secretEnv)) throw usageError(`--secret-env ${JSON.stringify(secretEnv)}: an environment variable name is letters, digits and "_", not starting with a digit`);
  if (values.force && values.out === undefined) throw usageError('--force only makes sense with --out FILE');
  for (const p of values.public ?? []) nonEmpty('public', p);

  return {
    help: false,
    options: {
      openapi,
      out: nonEmpty('out', values.out),
      force: values.force ?? false,
      ownerParam,
      upstream: nonEmpty('upstream', values.upstream),
      publicPaths: values.public ?? [],
      jwksUrl: nonEmpty('jwks-url', values['jwks-url']),
      issuer: nonEmpty('issuer', values.issuer),
      secretEnv,
    },
  };
}
