// identity_headers: which verified claims the upstream receives, under which header names.
// The names are checked so an injected header can never be one the proxy itself depends on
// (framing, routing, credentials) or one a client could smuggle under another spelling.
import { keyPath, kindOf, type Problems } from '../config/problems.js';
import { readString, type Reader } from '../config/read.js';
import { UNRESOLVED } from '../config/substitute.js';

/** RFC 9110 §5.6.2 token characters, less "_" (many servers read "_" as "-": x_user_id would alias x-user-id). */
const HEADER_NAME = /^[!#$%&'*+\-.^`|~0-9a-z]+$/;

/** Headers the gateway owns or strips, or that would change how the upstream reads the request. */
const RESERVED = new Set([
  // hop-by-hop (RFC 9110 §7.6.1) and framing
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'content-length', 'content-type', 'content-encoding', 'expect',
  // routing and credentials
  'host', 'authorization', 'proxy-authorization', 'proxy-authenticate', 'cookie', 'set-cookie',
  // set by the gateway itself
  'forwarded', 'x-real-ip', 'x-request-id',
  // stripped by the gateway because upstreams honour them
  'x-original-url', 'x-rewrite-url', 'x-http-method-override', 'x-http-method', 'x-method-override',
]);

function reservedReason(name: string): string | undefined {
  if (RESERVED.has(name)) return `"${name}" is reserved: the gateway sets, strips or depends on it`;
  if (name.startsWith('x-forwarded-')) return `"${name}" is reserved: X-Forwarded-* headers are set by the gateway`;
  if (name.startsWith('proxy-')) return `"${name}" is reserved: Proxy-* headers are for proxies, not identity`;
  if (name.startsWith('sec-')) return `"${name}" is reserved: Sec-* headers are set by browsers`;
  return undefined;
}

/** The header that names the user to the upstream: it must carry the claim the owner check used. */
export const USER_HEADER = 'x-user-id';

/**
 * The defaults when `identity_headers` is not written: `x-user-id` carries auth.subject_claim, so
 * the user the owner rule checked is the user the upstream is told about.
 */
export function defaultIdentityHeaders(subjectClaim: string): Array<readonly [string, string]> {
  return [
    [USER_HEADER, subjectClaim],
    ['x-user-email', 'email'],
  ];
}

/**
 * Written identity headers whose x-user-id carries another claim than auth.subject_claim: the owner
 * check passes as one user and the upstream acts for another. Accepted (a deliberate mapping is
 * possible), with a warning.
 */
export function warnUserHeaderClaim(headers: ReadonlyArray<readonly [string, string]>, subjectClaim: string, p: Problems): void {
  const user = headers.find(([name]) => name === USER_HEADER);
  if (user === undefined || user[1] === subjectClaim) return;
  p.warn(
    keyPath('identity_headers', USER_HEADER),
    `carries the claim ${JSON.stringify(user[1])}, but auth.subject_claim is ${JSON.stringify(subjectClaim)}: the owner check passes for one user and the upstream is told another; map ${USER_HEADER} to ${JSON.stringify(subjectClaim)}`,
  );
}

export const readIdentityHeaders: Reader<Array<readonly [string, string]>> = (value, path, p) => {
  if (value === UNRESOLVED) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    p.add(path, `must be a mapping of header name to claim name, like { x-user-id: sub }, got ${kindOf(value)}`);
    return undefined;
  }
  const before = p.count;
  const out: Array<readonly [string, string]> = [];
  const seen = new Map<string, string>();
  for (const [written, claimValue] of Object.entries(value as object)) {
    const itemPath = keyPath(path, written);
    const name = written.toLowerCase();
    if (!HEADER_NAME.test(name)) {
      p.add(itemPath, name.includes('_')
        ? `header names must not contain "_" (many servers treat it as "-", so it could alias another header); write ${JSON.stringify(name.replace(/_/g, '-'))}`
        : 'is not a valid header name (letters, digits and !#$%&\'*+-.^`|~ only)');
    } else {
      const reserved = reservedReason(name);
      if (reserved) p.add(itemPath, reserved);
      const earlier = seen.get(name);
      if (earlier !== undefined) p.add(itemPath, `the same header as ${JSON.stringify(earlier)} (header names are case-insensitive)`);
      seen.set(name, written);
    }
    const claim = readString()(claimValue, itemPath, p);
    if (claim !== undefined) out.push([name, claim] as const);
  }
  return p.count === before ? out : undefined;
};
