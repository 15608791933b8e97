// Where the gateway forwards to, and the base path every OpenAPI path sits under. --upstream
// wins; else servers[0].url (its variables at their defaults, resolved against the document's
// own URL when relative, as OpenAPI says); else the origin the document was fetched from.
import type { UpstreamPlan } from './plan.js';
import { isMapping, type OpenApiDocument } from './read-document.js';

export const UPSTREAM_ENV = 'UPSTREAM_URL';
export const UPSTREAM_PLACEHOLDER = 'http://127.0.0.1:8000';

/** Resolves relative server URLs that came from a file: only their path is usable. */
const NO_BASE = 'http://server-url.invalid';

interface Server {
  readonly url?: URL;
  readonly relative: boolean;
  readonly review: string[];
}

export function planUpstream(doc: OpenApiDocument, flag: string | undefined): UpstreamPlan {
  const server = firstServer(doc);
  const review = [...server.review];
  const basePath = server.url ? server.url.pathname.replace(/\/+$/, '') : '';
  if (basePath !== '') review.push(`every path is prefixed with ${basePath}, the path of servers[0].url: clients call ${basePath}/…`);

  const fromEnv = (origin: string): string => `\${${UPSTREAM_ENV}:-${origin}}`;
  if (flag !== undefined) return { url: flag, basePath, source: '--upstream', review };
  const usable = server.url && server.url.origin !== new URL(NO_BASE).origin ? server.url : undefined;
  if (usable && isHttp(usable)) {
    if (!server.relative) review.push(`upstream taken from servers[0].url; if that is the address clients use (where the gateway will sit), set ${UPSTREAM_ENV} to the service's internal address`);
    return { url: fromEnv(usable.origin), basePath, source: server.relative ? 'servers[0].url, relative to the document URL' : 'servers[0].url', review };
  }
  if (!server.url && doc.source.url && isHttp(doc.source.url)) {
    return { url: fromEnv(doc.source.url.origin), basePath, source: 'the URL the document was fetched from', review };
  }
  review.push(`no upstream address known: set ${UPSTREAM_ENV} (it defaults to ${UPSTREAM_PLACEHOLDER}), or run init with --upstream URL`);
  return { url: fromEnv(UPSTREAM_PLACEHOLDER), basePath, source: 'a placeholder: the document names no server', review };
}

function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

function firstServer(doc: OpenApiDocument): Server {
  const servers = doc.root['servers'];
  const first = Array.isArray(servers) ? (servers[0] as unknown) : undefined;
  if (!isMapping(first) || typeof first['url'] !== 'string') return { relative: false, review: [] };
  const written = first['url'];
  const variables = isMapping(first['variables']) ? first['variables'] : {};
  const missing: string[] = [];
  const expanded = written.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    const variable = variables[name];
    const fallback = isMapping(variable) ? variable['default'] : undefined;
    if (typeof fallback === 'string') return fallback;
    missing.push(name);
    return whole;
  });
  if (missing.length > 0) {
    return { relative: false, review: [`servers[0].url ${JSON.stringify(written)} has variables without a default (${missing.join(', ')}); it was not used`] };
  }
  let url: URL;
  const relative = !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(expanded);
  try {
    url = new URL(expanded, relative ? (doc.source.url ?? NO_BASE) : undefined);
  } catch {
    return { relative, review: [`servers[0].url ${JSON.stringify(written)} is not a URL; it was not used`] };
  }
  if (!isHttp(url)) return { relative, review: [`servers[0].url uses ${url.protocol}, not http(s); it was not used`] };
  return { url, relative, review: [] };
}
