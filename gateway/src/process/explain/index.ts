// `gateway explain`: how the gateway would decide one request, narrated by the live pipeline.
// The same createPipeline, route table, CORS policy, authenticator and upstream header builder
// as a running gateway; only the request is imagined and nothing is sent to the upstream.
import { ConfigError } from '../../config/index.js';
import { loadConfig, type GatewayConfig } from '../../gateway-config.js';
import { createAuthenticator, type Authenticator, type Verifier } from '../../pipeline/authn/index.js';
import { createCorsPolicy } from '../../pipeline/cors/policy.js';
import { createPipeline } from '../../pipeline/index.js';
import { describeLimits } from '../../pipeline/limits/index.js';
import type { TraceStep } from '../../pipeline/trace.js';
import { createOutgoingHeaders } from '../../proxy/outgoing-headers.js';
import { EXPLAIN_USAGE, parseExplainArgs, type ExplainArgs } from './args.js';
import { renderReport, REQUEST_ID_SHOWN } from './report.js';
import { buildRequest } from './request.js';
import { SUBJECT_PLACEHOLDER_TOKEN, subjectVerifier } from './subject.js';

export { EXPLAIN_USAGE } from './args.js';

export interface ExplainIo {
  out(text: string): void;
  err(text: string): void;
  /** All of stdin, for --token -. */
  stdin(): Promise<string>;
}

/** Exit code: 0 forwarded or answered as a preflight, 1 refused, 2 bad arguments (or a config that does not load). */
export async function runExplain(argv: readonly string[], io: ExplainIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`Usage:\n${EXPLAIN_USAGE}\n`);
    return 0;
  }
  const parsed = parseExplainArgs(argv, env);
  if (!parsed.ok) {
    io.err(`gateway explain: ${parsed.message}\nUsage:\n${EXPLAIN_USAGE}\n`);
    return 2;
  }
  const { args } = parsed;
  let config: GatewayConfig;
  try {
    ({ config } = loadConfig(args.config, env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`gateway explain: invalid config ${args.config}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
    return 2;
  }
  const token = args.token === '-' ? (await io.stdin()).trim() : args.token;
  if (token !== undefined && token === '') {
    io.err('gateway explain: --token - read an empty token from stdin\n');
    return 2;
  }
  const built = buildRequest({ method: args.method, path: args.path, headers: requestHeaders(args, token), peer: args.peer });
  if (!built.ok) {
    io.err(`gateway explain: ${built.message}\n`);
    return 2;
  }

  const steps: TraceStep[] = [];
  let authenticator: Authenticator | undefined;
  let verifier: Verifier;
  if (args.sub !== undefined) verifier = subjectVerifier(args.sub, config.auth);
  else {
    // Not started: a JWKS is fetched only if a token reaches an issuer that needs one.
    authenticator = createAuthenticator(config.auth, {
      keyFetch: (issuer, result) => steps.push({ step: 'token.fetch', ok: result === 'success', detail: `issuer ${issuer}: JWKS fetch ${result}` }),
    });
    verifier = authenticator;
  }
  const cors = createCorsPolicy(config.cors);
  // The live revocation list is in the running gateway, not in the config: say so instead of guessing.
  const revocations = { check: () => undefined, passDetail: 'not checked: explain does not see the live revocation list (GET /revocations on the admin port lists it)' };
  // Likewise the live counts: explain names the key and the limits that apply, and counts nothing.
  const decide = createPipeline({ routes: config.routeTable, cors, authenticator: verifier, revocations, limits: describeLimits(config) });
  let verdict;
  try {
    verdict = await decide(built.req, (step) => steps.push(step));
  } finally {
    authenticator?.close();
  }

  const upstreamHeaders = verdict.kind === 'forward' ? shownHeaders(createOutgoingHeaders(config)(built.req, REQUEST_ID_SHOWN, verdict.identity).headers, args.sub !== undefined) : undefined;
  const lines = renderReport({
    method: args.method,
    path: args.path,
    configFile: args.config,
    peer: args.peer,
    config,
    steps,
    verdict,
    cors,
    origin: args.origin,
    token: args.sub === undefined ? token : undefined,
    bySubject: args.sub !== undefined,
    upstreamHeaders,
  });
  io.out(`${lines.join('\n')}\n`);
  return verdict.kind === 'deny' ? 1 : 0;
}

/** The headers a client would send: the ones given, a Host, the Origin, the credential. */
function requestHeaders(args: ExplainArgs, token: string | undefined): Array<readonly [string, string]> {
  const headers = [...args.headers];
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!has('host')) headers.unshift(['Host', 'localhost']);
  if (args.origin !== undefined) headers.push(['Origin', args.origin]);
  if (token !== undefined) headers.push(['Authorization', `Bearer ${token}`]);
  else if (args.sub !== undefined && !has('authorization')) headers.push(['Authorization', `Bearer ${SUBJECT_PLACEHOLDER_TOKEN}`]);
  return headers;
}

/** Credentials are never echoed: their scheme and length stand in for them. */
function shownHeaders(flat: readonly string[], bySubject: boolean): Array<readonly [string, string]> {
  const shown: Array<readonly [string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'proxy-authorization') {
      const space = value.indexOf(' ');
      const scheme = space > 0 ? value.slice(0, space) : '';
      const credential = space > 0 ? value.slice(space + 1) : value;
      shown.push([name, bySubject && credential === SUBJECT_PLACEHOLDER_TOKEN ? `${scheme} <the caller's token>` : `${scheme ? `${scheme} ` : ''}<redacted, ${Buffer.byteLength(credential)} bytes>`]);
    } else if (lower === 'cookie') shown.push([name, `<redacted, ${Buffer.byteLength(value)} bytes>`]);
    else shown.push([name, value]);
  }
  return shown;
}
