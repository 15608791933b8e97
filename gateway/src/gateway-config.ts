// The gateway's config file: YAML → ${VAR} substitution → each section read (and compiled) by the
// stage that owns it → the checks that span sections → frozen. Every problem is listed by key path.
// `--check-config` and start both call loadConfig, so they can never disagree.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config/config-error.js';
import { deepFreeze } from './config/freeze.js';
import { FILE_PATH, Problems as ProblemList, formatProblem, inFileOrder } from './config/problems.js';
import { substituteEnv, type Env } from './config/substitute.js';
import { parseYaml } from './config/yaml.js';
import type { RouteTable } from './pipeline/route/table.js';
import { availableParallelism } from 'node:os';
import { ROOT_PATH, kindOf, type Problems } from './config/problems.js';
import { AUTH_DEFAULTS, readAuth } from './pipeline/authn/config.js';
import { defaultIdentityHeaders, readIdentityHeaders, warnUserHeaderClaim } from './proxy/identity-config.js';
import { isLoopbackHost, readListen, sameSocket } from './config/network.js';
import { readTrustProxy, readUpstream } from './proxy/config.js';
import { readCors } from './pipeline/cors/config.js';
import { optional, readBool, readDuration, readEnum, readInt, readMapping, readSection, readSize, readString, required, type Mapping, type Reader } from './config/read.js';
import { readRoutes } from './pipeline/route/config.js';
import { readAdminToken } from './observe/admin-config.js';
import { readRevocation, type RevocationConfig } from './pipeline/revocation/config.js';
import { readStore, type StoreConfig } from './store/config.js';
import type { LogLevel } from './observe/logger.js';
import { readShutdown, type ShutdownConfig } from './config/shutdown.js';
import { CONCURRENCY_KEYS, readConcurrentPerSubject, readDefaultRateLimit } from './pipeline/limits/config.js';
import { PROXY_TIMEOUT_KEYS, readProxyTimeouts } from './proxy/timeouts-config.js';
import type { RouteConfig, AuthConfig, CorsConfig, ListenConfig, LimitsConfig, RateLimitPolicy, TrustProxyConfig, UpstreamConfig } from './config/types.js';

export const ROOT_KEYS = [
  'listen', 'admin', 'upstream', 'auth', 'identity_headers', 'forward_authorization', 'cors',
  'routes', 'limits', 'rate_limit', 'trust_proxy', 'realm', 'workers', 'log_level', 'revocation', 'store', 'shutdown',
];

export const DEFAULTS = {
  listen: { host: '0.0.0.0', port: 8080 },
  admin: { host: '127.0.0.1', port: 9090 },
  forwardAuthorization: true,
  trustProxy: false,
  realm: 'gateway',
  workers: 1,
  logLevel: 'info',
  limits: { bodyBytes: 1024 * 1024, headerTimeoutMs: 10_000, requestTimeoutMs: 30_000 },
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Printed inside a quoted-string in WWW-Authenticate, so no quotes, backslashes or control bytes. */
const readRealm: Reader<string> = (value, path, p) => {
  const realm = readString()(value, path, p);
  if (realm === undefined) return undefined;
  if (!/^[\x20-\x7e]{1,128}$/.test(realm) || /["\\]/.test(realm)) {
    p.add(path, 'must be 1-128 printable ASCII characters without " or \\ (it is sent in WWW-Authenticate)');
    return undefined;
  }
  return realm;
};

/** An integer, or "auto" for one worker per CPU the process may use. */
const readWorkers: Reader<number> = (value, path, p) => {
  if (value === 'auto') return availableParallelism();
  if (typeof value === 'string' && !/^[0-9]+$/.test(value)) {
    p.add(path, `must be a number of workers from 1 to 1024, or auto (one per CPU), got ${kindOf(value)}`);
    return undefined;
  }
  return readInt(1, 1024)(value, path, p);
};

/** The `limits` section: Node's own time-outs here, the proxy's and the limits stage's by their readers. */
function readLimits(root: Mapping, p: Problems, upstream: UpstreamConfig | undefined): LimitsConfig | undefined {
  const raw = readSection(root, 'limits', '', p, ['body', 'header_timeout', 'request_timeout', ...PROXY_TIMEOUT_KEYS, ...CONCURRENCY_KEYS]);
  if (!raw) return undefined;
  const d = DEFAULTS.limits;
  const bodyBytes = optional(raw, 'body', 'limits', p, readSize(1), d.bodyBytes);
  const headerTimeoutMs = optional(raw, 'header_timeout', 'limits', p, readDuration(1), d.headerTimeoutMs);
  const requestTimeoutMs = optional(raw, 'request_timeout', 'limits', p, readDuration(1), d.requestTimeoutMs);
  const timeouts = readProxyTimeouts(raw, p, requestTimeoutMs);
  const concurrentPerSubject = readConcurrentPerSubject(raw, p, upstream?.connections);
  if (headerTimeoutMs !== undefined && requestTimeoutMs !== undefined && headerTimeoutMs > requestTimeoutMs) {
    // Node's http server refuses headersTimeout > requestTimeout, and it would mean nothing anyway.
    p.add('limits.header_timeout', `must not be longer than limits.request_timeout (${requestTimeoutMs} ms): the headers are part of the request`);
    return undefined;
  }
  if (bodyBytes === undefined || headerTimeoutMs === undefined || requestTimeoutMs === undefined || !timeouts || concurrentPerSubject === undefined) return undefined;
  return { bodyBytes, headerTimeoutMs, requestTimeoutMs, ...timeouts, concurrentPerSubject };
}

/** Reads a parsed, substituted document. Returns undefined when any problem was recorded. */
export function readConfig(tree: unknown, p: Problems, fromEnv: ReadonlySet<string>): GatewayConfig | undefined {
  if (tree === null || tree === undefined) {
    p.add(ROOT_PATH, 'the config is empty; it needs at least upstream, auth and routes');
    return undefined;
  }
  const root = readMapping(tree, '', p, ROOT_KEYS);
  if (!root) return undefined;

  const listen = readListen(root, 'listen', p, DEFAULTS.listen);
  const admin = readListen(root, 'admin', p, DEFAULTS.admin, ['token']);
  const adminToken = readAdminToken(root['admin'], p, fromEnv);
  const upstream = readUpstream(root, p);
  const auth = readAuth(root, p, fromEnv);
  const subjectClaim = auth?.subjectClaim ?? AUTH_DEFAULTS.subjectClaim;
  const identityHeaders = optional(root, 'identity_headers', '', p, readIdentityHeaders, defaultIdentityHeaders(subjectClaim));
  if (identityHeaders && Object.hasOwn(root, 'identity_headers')) warnUserHeaderClaim(identityHeaders, subjectClaim, p);
  const forwardAuthorization = optional(root, 'forward_authorization', '', p, readBool, DEFAULTS.forwardAuthorization);
  const cors = readCors(root, p);
  const routes = required(root, 'routes', '', p, readRoutes);
  const limits = readLimits(root, p, upstream);
  const rateLimit = readDefaultRateLimit(root, p);
  const trustProxy = optional(root, 'trust_proxy', '', p, readTrustProxy, DEFAULTS.trustProxy);
  const realm = optional(root, 'realm', '', p, readRealm, DEFAULTS.realm);
  const workers = optional(root, 'workers', '', p, readWorkers, DEFAULTS.workers);
  const logLevel = optional(root, 'log_level', '', p, readEnum(LOG_LEVELS), DEFAULTS.logLevel);
  const revocation = readRevocation(root, p);
  const store = readStore(root, p, fromEnv);
  const shutdown = readShutdown(root, p);

  if (listen && admin && sameSocket(listen, admin)) {
    p.add('admin.port', `${admin.host}:${admin.port} collides with listen ${listen.host}:${listen.port}; the admin endpoints (/metrics, /readyz) must never share the public port`);
  }
  if (admin && !isLoopbackHost(admin.host)) {
    p.warn('admin.host', `${admin.host} exposes /metrics and /readyz beyond this machine; keep the admin port off the internet`);
  }

  if (
    p.count > 0 || !listen || !admin || !upstream || !auth || !identityHeaders || forwardAuthorization === undefined ||
    !cors || !routes || !limits || !rateLimit || trustProxy === undefined || !realm || !workers || !logLevel ||
    !adminToken || !revocation || !store || !shutdown
  ) {
    return undefined;
  }
  return {
    listen, admin, upstream, auth, identityHeaders, forwardAuthorization, cors, routes: routes.list, routeTable: routes.table, limits,
    ...(rateLimit.policy ? { rateLimit: rateLimit.policy } : {}), trustProxy, realm, workers, logLevel,
    ...(adminToken.token !== undefined ? { adminToken: adminToken.token } : {}),
    revocation, store, shutdown,
  };
}

export interface GatewayConfig {
  readonly listen: ListenConfig;
  readonly admin: ListenConfig;
  readonly upstream: UpstreamConfig;
  readonly auth: AuthConfig;
  /** Lower-case header name → claim name, in config order. */
  readonly identityHeaders: ReadonlyArray<readonly [header: string, claim: string]>;
  readonly forwardAuthorization: boolean;
  readonly cors: CorsConfig;
  readonly routes: readonly RouteConfig[];
  /** Compiled at load by the route stage: the table start serves is the one --check-config checked. */
  readonly routeTable: RouteTable;
  readonly limits: LimitsConfig;
  /** The top-level `rate_limit`: every route's policy unless the route sets its own or `off`. */
  readonly rateLimit?: RateLimitPolicy;
  readonly trustProxy: TrustProxyConfig;
  /** Realm in WWW-Authenticate. */
  readonly realm: string;
  /** node:cluster workers; 1 = no cluster. */
  readonly workers: number;
  readonly logLevel: LogLevel;
  /** Bearer token of the admin API (/revocations); absent = that API is off (404). Never logged. */
  readonly adminToken?: string;
  readonly revocation: RevocationConfig;
  /** Where revocations (and rate-limit counters) are shared; no redisUrl = in memory, per process. */
  readonly store: StoreConfig;
  /** How a SIGTERM drains the public port (serving/drain.ts). */
  readonly shutdown: ShutdownConfig;
}

export interface LoadedConfig {
  readonly config: GatewayConfig;
  /** Accepted but risky settings, one line each ("<key.path>: <message>"); worth logging at start. */
  readonly warnings: string[];
}

export function parseConfig(yamlText: string, env: Env): LoadedConfig {
  const p = new ProblemList();
  const parsed = parseYaml(yamlText, p);
  if (!parsed) throw new ConfigError(p.problems);
  const { tree, fromEnv } = substituteEnv(parsed.value, env, p);
  const config = readConfig(tree, p, fromEnv);
  if (!config || p.count > 0) throw new ConfigError(inFileOrder(p.problems, parsed.offsets));
  return { config: deepFreeze(config), warnings: inFileOrder(p.warnings, parsed.offsets).map(formatProblem) };
}

/** Reads the file from disk; every failure, the file's included, is a ConfigError. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return parseConfig(readConfigFile(file), env);
}

/** The file's text; a file that cannot be read is a ConfigError like any other problem. */
export function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError([{ path: FILE_PATH, message: `cannot read ${file}: ${why}` }]);
  }
}
