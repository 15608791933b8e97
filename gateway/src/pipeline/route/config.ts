// The route table: default deny, so only what is listed here ever reaches the upstream.
import { indexPath, keyPath, type Problems } from '../../config/problems.js';
import { maybe, optional, readBool, readList, readMapping, readString, required, type Reader } from '../../config/read.js';
import { readRateLimit } from '../limits/config.js';
import { Problems as ProblemList, formatProblem } from '../../config/problems.js';
import { warnPublicOverlaps } from './overlap.js';
import { buildRouteTable, type RouteSpec, type RouteTable } from './table.js';
import { parseRouteTemplate, templateShape, type Segment } from './template.js';
import type { RouteConfig } from '../../config/types.js';

const ROUTE_KEYS = ['path', 'methods', 'owner', 'public', 'rate_limit'] as const;

const FORWARDED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const REFUSED_METHODS: Readonly<Record<string, string>> = {
  OPTIONS: 'OPTIONS is not allowed: the gateway answers CORS preflights itself and never forwards OPTIONS',
  CONNECT: 'CONNECT is never forwarded (it would turn the gateway into a tunnel)',
  TRACE: 'TRACE is never forwarded (it reflects requests, credentials included: cross-site tracing)',
};

const readMethod: Reader<string> = (value, path, p) => {
  const written = readString()(value, path, p);
  if (written === undefined) return undefined;
  const method = written.toUpperCase();
  const refused = REFUSED_METHODS[method];
  if (refused) {
    p.add(path, refused);
    return undefined;
  }
  if (!(FORWARDED_METHODS as readonly string[]).includes(method)) {
    p.add(path, `unknown method ${JSON.stringify(written)}; allowed: ${FORWARDED_METHODS.join(', ')}`);
    return undefined;
  }
  return method;
};

const readMethods: Reader<string[]> = (value, path, p) => {
  const methods = readList(readMethod, { nonEmpty: true, example: '[GET, POST]' })(value, path, p);
  if (methods === undefined) return undefined;
  const seen = new Set<string>();
  let ok = true;
  methods.forEach((m, i) => {
    if (seen.has(m)) {
      p.add(indexPath(path, i), `${m} is listed twice`);
      ok = false;
    }
    seen.add(m);
  });
  return ok ? methods : undefined;
};

const readTemplate: Reader<{ path: string; segments: readonly Segment[] }> = (value, path, p) => {
  const template = readString()(value, path, p);
  if (template === undefined) return undefined;
  const parsed = parseRouteTemplate(template);
  if (!parsed.ok) {
    for (const problem of parsed.problems) p.add(path, problem);
    return undefined;
  }
  return { path: template, segments: parsed.segments };
};

interface ParsedRoute {
  readonly route: RouteConfig;
  readonly segments: readonly Segment[];
}

function readRoute(value: unknown, path: string, p: Problems): ParsedRoute | undefined {
  const raw = readMapping(value, path, p, ROUTE_KEYS);
  if (!raw) return undefined;
  const before = p.count;
  const template = required(raw, 'path', path, p, readTemplate);
  const methods = required(raw, 'methods', path, p, readMethods);
  const isPublic = optional(raw, 'public', path, p, readBool, false);
  const owner = optional(raw, 'owner', path, p, readString(), undefined);
  const rateLimit = maybe(raw, 'rate_limit', path, p, readRateLimit);

  if (owner !== undefined && template !== undefined) {
    const params = template.segments.flatMap((s) => (s.kind === 'param' ? [s.name] : []));
    if (!params.includes(owner)) {
      const known = params.length > 0 ? `; its parameters: ${params.join(', ')}` : '; the path has no parameters';
      p.add(keyPath(path, 'owner'), `must name a parameter of the path ${JSON.stringify(template.path)}${known}`);
    }
  }
  if (owner !== undefined && isPublic === true) {
    p.add(keyPath(path, 'public'), 'a public route needs no token, so it cannot have an owner; remove one of "public" and "owner"');
  }
  if (p.count !== before || template === undefined || methods === undefined || isPublic === undefined) return undefined;
  const route: RouteConfig = {
    path: template.path,
    methods,
    ...(owner === undefined ? {} : { owner }),
    public: isPublic,
    ...(rateLimit.value === undefined ? {} : { rateLimit: rateLimit.value }),
  };
  return { route, segments: template.segments };
}

/** HEAD is served wherever GET is, so a GET route and a HEAD route on one path collide. */
function effectiveMethods(methods: readonly string[]): Set<string> {
  const set = new Set(methods);
  if (set.has('GET')) set.add('HEAD');
  return set;
}

/** Two routes that a request could match both ways make the table's meaning depend on order. */
function checkCollisions(routes: ReadonlyArray<ParsedRoute | undefined>, path: string, p: Problems): void {
  const byShape = new Map<string, number[]>();
  routes.forEach((r, i) => {
    if (!r) return;
    const shape = templateShape(r.segments);
    const earlier = byShape.get(shape) ?? [];
    for (const j of earlier) {
      const other = routes[j]!;
      if (other.route.path !== r.route.path) {
        p.add(keyPath(indexPath(path, i), 'path'), `${JSON.stringify(r.route.path)} matches the same requests as routes[${j}].path ${JSON.stringify(other.route.path)} (only the parameter names differ); use one template and the same parameter names`);
        continue;
      }
      const mine = effectiveMethods(r.route.methods);
      const overlap = [...effectiveMethods(other.route.methods)].filter((m) => mine.has(m));
      if (overlap.length > 0) {
        p.add(keyPath(indexPath(path, i), 'methods'), `${overlap.join(', ')} on ${JSON.stringify(r.route.path)} is already routed by routes[${j}] (HEAD is implied by GET)`);
      } else {
        // One route per path: the table keeps one entry per template, so a second one would
        // silently replace the first. List every method of a path on one route.
        p.add(keyPath(indexPath(path, i), 'path'), `${JSON.stringify(r.route.path)} matches the same paths as routes[${j}]; one route per path — list all its methods on routes[${j}]`);
      }
    }
    byShape.set(shape, [...earlier, i]);
  });
}

/**
 * Reads `routes` and compiles the table that start serves: --check-config runs this same
 * function, so it can never accept a table that start would refuse.
 */
export interface ReadRoutes {
  /** The routes as configured (plain values, in config order). */
  readonly list: readonly RouteConfig[];
  /** The compiled table: what start serves. */
  readonly table: RouteTable;
}

export const readRoutes: Reader<ReadRoutes> = (value, path, p) => {
  const parsed = readList<ParsedRoute | null>((v, itemPath, problems) => readRoute(v, itemPath, problems) ?? null, {
    nonEmpty: true,
    example: '[{ path: /api/:user_id/tasks, methods: [GET], owner: user_id }]',
  })(value, path, p);
  if (parsed === undefined) return undefined;
  const before = p.count;
  checkCollisions(parsed.map((r) => r ?? undefined), path, p);
  if (p.count !== before || parsed.some((r) => r === null)) return undefined;
  const specs: RouteSpec[] = parsed.map((r) => ({ ...r!.route, segments: r!.segments }));
  warnPublicOverlaps(specs, path, p);
  return { list: parsed.map((r) => r!.route), table: buildRouteTable(specs) };
};

/** The same reader for routes given as values (tests, `explain`); throws with every problem. */
export function compileRoutes(routes: readonly RouteConfig[]): RouteTable {
  const p = new ProblemList();
  const asWritten = routes.map(({ rateLimit, ...r }) => ({
    ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)),
    ...(rateLimit === undefined ? {} : { rate_limit: rateLimit === 'off' ? 'off' : { requests: rateLimit.requests, per: `${rateLimit.perSeconds}s` } }),
  }));
  const read = readRoutes(asWritten, 'routes', p);
  if (!read || p.count > 0) throw new Error(`invalid routes: ${p.problems.map(formatProblem).join('; ')}`);
  return read.table;
}
