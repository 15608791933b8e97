// `gateway explain` arguments: what request to imagine, with which credential.
import { METHODS } from 'node:http';
import { parseArgs } from 'node:util';

export interface ExplainArgs {
  readonly config: string;
  readonly method: string;
  readonly path: string;
  /** `-` reads the token from stdin (keeps it out of shell history and `ps`). */
  readonly token?: string;
  readonly sub?: string;
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  readonly origin?: string;
  /** The client address the gateway would see (trust_proxy decisions). */
  readonly peer: string;
}

export const EXPLAIN_USAGE = `  gateway explain [--config FILE] METHOD PATH [--token JWT | --token - | --sub ID]
                  [--header 'Name: value']… [--origin ORIGIN] [--peer ADDRESS]
      show, step by step, how the gateway would decide this request, without contacting the
      upstream: the canonical path, the route, preflight/method/public, the token's issuer,
      claims and checks (a JWKS is fetched only with --token), the owner rule, the final
      status, and the headers the upstream would get. --token - reads the token from stdin;
      --sub ID skips signature checks and explains the rest for that subject.
      Exit 0: forwarded (or a preflight the gateway answers), 1: refused, 2: bad arguments.`;

/** TEST-NET-1 (RFC 5737): an ordinary client that is nobody's trusted proxy. */
const DEFAULT_PEER = '192.0.2.1';
/** A target Node's parser would refuse before the gateway saw it: whitespace, control bytes. */
const UNPARSEABLE_TARGET = /[\x00-\x20\x7f]/;

export type ParsedArgs = { readonly ok: true; readonly args: ExplainArgs } | { readonly ok: false; readonly message: string };

export function parseExplainArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        token: { type: 'string' },
        sub: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        origin: { type: 'string' },
        peer: { type: 'string' },
      },
    });
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) return { ok: false, message: `expected METHOD and PATH, got ${positionals.length} argument(s)` };
  const method = positionals[0]!.toUpperCase();
  const path = positionals[1]!;
  if (!METHODS.includes(method)) return { ok: false, message: `unknown method ${JSON.stringify(positionals[0])}; Node's parser answers 400 before the gateway sees it` };
  if (path === '' || UNPARSEABLE_TARGET.test(path)) return { ok: false, message: 'PATH must be a request target without spaces or control characters (Node answers 400 before the gateway sees it)' };
  if (values.token !== undefined && values.sub !== undefined) return { ok: false, message: '--token and --sub exclude each other' };
  const headers: Array<readonly [string, string]> = [];
  for (const line of values.header ?? []) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, message: `--header ${JSON.stringify(line)}: expected 'Name: value'` };
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return {
    ok: true,
    args: {
      config: values.config ?? env['GATEWAY_CONFIG'] ?? 'config/gateway.yaml',
      method,
      path,
      ...(values.token !== undefined ? { token: values.token } : {}),
      ...(values.sub !== undefined ? { sub: values.sub } : {}),
      headers,
      ...(values.origin !== undefined ? { origin: values.origin } : {}),
      peer: values.peer ?? DEFAULT_PEER,
    },
  };
}
