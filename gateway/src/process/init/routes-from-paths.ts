// The document's `paths` → one planned route per path, with exactly the methods the document
// lists. Every path the gateway's templates cannot express is refused, all of them at once, so
// the user fixes the document (or writes those routes by hand) in one pass.
import { templateShape } from '../../pipeline/route/index.js';
import { refusal } from './init-error.js';
import { translatePath } from './path-template.js';
import type { PlannedRoute } from './plan.js';
import { isMapping, type Json, type OpenApiDocument } from './read-document.js';

/** The gateway's usual order, so a config reads the same whatever order the document used. */
const FORWARDED = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;

const NEVER_ROUTED: Readonly<Record<string, string>> = {
  options: 'OPTIONS is answered by the gateway itself (CORS preflights) and never forwarded',
  trace: 'TRACE is never forwarded (it reflects the request, credentials included)',
  connect: 'CONNECT is never forwarded',
  query: 'QUERY (OpenAPI 3.2) is not a method the gateway forwards',
};

/** Path-item keys that are not operations (OpenAPI 3.0–3.2). */
const NOT_OPERATIONS = new Set(['summary', 'description', 'servers', 'parameters', '$ref', 'additionalOperations']);

export interface PathsResult {
  readonly routes: PlannedRoute[];
  readonly warnings: string[];
}

export function routesFromPaths(doc: OpenApiDocument, basePath: string): PathsResult {
  const refused: string[] = [];
  const refusedPaths = new Set<string>();
  const refuse = (openapiPath: string, why: string): void => {
    refused.push(`${openapiPath}: ${why}`);
    refusedPaths.add(openapiPath);
  };
  const warnings: string[] = [];
  const routes: PlannedRoute[] = [];
  const shapes = new Map<string, string>();

  for (const [openapiPath, rawItem] of Object.entries(doc.paths)) {
    const item = resolvePathItem(doc.root, rawItem, (why) => refuse(openapiPath, why));
    if (!item) continue;
    const operations = operationsOf(item);
    for (const [method, why] of operations.never) warnings.push(`${openapiPath}: ${method} is not routed: ${why}`);
    for (const key of operations.unknown) warnings.push(`${openapiPath}: ignored ${JSON.stringify(key)}, which is not an OpenAPI operation`);
    if (operations.routed.length === 0) {
      warnings.push(`${openapiPath}: not routed: it has no operation the gateway forwards (GET, HEAD, POST, PUT, PATCH, DELETE)`);
      continue;
    }
    const translated = translatePath(openapiPath, basePath);
    if (!translated.ok) {
      for (const why of translated.reasons) refuse(openapiPath, why);
      continue;
    }
    // Two paths with the same shape would match the same requests; the gateway could not tell
    // which one (and which owner rule) a request meant.
    const shape = templateShape(translated.segments);
    const twin = shapes.get(shape);
    if (twin !== undefined) {
      refuse(openapiPath, `matches exactly the same requests as ${twin} (only the parameter names differ); the gateway cannot tell them apart — give both the same parameter names, or merge them`);
      continue;
    }
    shapes.set(shape, openapiPath);

    routes.push({
      openapiPath,
      path: translated.template,
      methods: operations.routed.map(([m]) => m.toUpperCase()),
      params: translated.params,
      operations: operations.routed.map(([m, op]) => describeOperation(m, op)),
      unsecured: operations.routed.filter(([, op]) => needsNoAuth(op, doc.root)).map(([m]) => m.toUpperCase()),
      public: false,
      review: Array.isArray(item['servers']) && item['servers'].length > 0 ? ['has its own servers in the document; routed under the document-wide base path'] : [],
    });
  }

  if (refused.length > 0) {
    throw refusal(`cannot express ${refusedPaths.size === 1 ? 'a path' : `${refusedPaths.size} paths`} of the document as gateway routes; nothing was written`, refused);
  }
  if (routes.length === 0) throw refusal('no path of the document has an operation the gateway forwards; nothing to route');
  noteTrailingSlashPairs(routes);
  return { routes, warnings };
}

/** A path item may be a local `$ref` (OpenAPI 3.1 components.pathItems); remote ones need bundling. */
function resolvePathItem(root: Json, item: unknown, refuse: (why: string) => void): Json | undefined {
  if (!isMapping(item)) {
    refuse('is not a mapping of operations');
    return undefined;
  }
  const ref = item['$ref'];
  if (ref === undefined) return item;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) {
    refuse(`its operations are in another file ($ref ${JSON.stringify(ref)}); bundle the document first (for instance: npx @redocly/cli bundle)`);
    return undefined;
  }
  let target: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    target = isMapping(target) && Object.hasOwn(target, key) ? target[key] : undefined;
  }
  if (!isMapping(target) || target['$ref'] !== undefined) {
    refuse(`$ref ${JSON.stringify(ref)} does not lead to a path item in this document`);
    return undefined;
  }
  // Operations written beside the $ref are kept too (OpenAPI says their meaning is undefined; routing them is the safe reading).
  return { ...target, ...item };
}

interface Operations {
  readonly routed: Array<[string, Json]>;
  readonly never: Array<[string, string]>;
  readonly unknown: string[];
}

function operationsOf(item: Json): Operations {
  const found = new Map<string, Json>();
  const never: Array<[string, string]> = [];
  const unknown: string[] = [];
  const add = (key: string, op: unknown, fromAdditional: boolean): void => {
    const method = key.toLowerCase();
    if ((FORWARDED as readonly string[]).includes(method)) {
      if (isMapping(op)) found.set(method, op);
      return;
    }
    const why = NEVER_ROUTED[method];
    if (why !== undefined) never.push([method.toUpperCase(), why]);
    else if (fromAdditional) never.push([key.toUpperCase(), 'the gateway forwards only GET, HEAD, POST, PUT, PATCH and DELETE']);
    else if (!NOT_OPERATIONS.has(key) && !key.startsWith('x-')) unknown.push(key);
  };
  for (const [key, op] of Object.entries(item)) add(key, op, false);
  const additional = item['additionalOperations'];
  if (isMapping(additional)) for (const [key, op] of Object.entries(additional)) add(key, op, true);
  const routed = FORWARDED.filter((m) => found.has(m)).map((m): [string, Json] => [m, found.get(m)!]);
  return { routed, never, unknown };
}

function describeOperation(method: string, op: Json): string {
  const id = typeof op['operationId'] === 'string' ? op['operationId'] : undefined;
  const written = typeof op['summary'] === 'string' ? op['summary'].split('\n')[0]!.trim() : '';
  const summary = written.length > 100 ? `${written.slice(0, 97)}...` : written || undefined;
  const deprecated = op['deprecated'] === true ? ' (deprecated)' : '';
  return [method.toUpperCase(), id, summary && (id ? `— ${summary}` : summary)].filter(Boolean).join(' ') + deprecated;
}

/** `security: []`, or a requirement list with an empty entry `{}`, means "no credentials needed". */
function needsNoAuth(op: Json, root: Json): boolean {
  const security = op['security'] ?? root['security'];
  return Array.isArray(security) && (security.length === 0 || security.some((s) => isMapping(s) && Object.keys(s).length === 0));
}

/** `/a` and `/a/` are different paths to the gateway (no redirects): both are routed, as written. */
function noteTrailingSlashPairs(routes: PlannedRoute[]): void {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  for (const route of routes) {
    if (!route.path.endsWith('/') || route.path === '/') continue;
    const bare = byPath.get(route.path.slice(0, -1));
    if (!bare) continue;
    const note = `${bare.path} and ${route.path} are different paths to the gateway (it never redirects); both are routed, each with its own rule`;
    bare.review.push(note);
    route.review.push(note);
  }
}
