// The route table: which configured route a decoded path belongs to, and whether the method is
// allowed there. Default deny: a path no template matches is `no_route`.
//
// Matching rules:
// - a literal segment matches exactly (case-sensitive); `:name` matches one non-empty segment;
// - when several templates match, the one with a literal at the leftmost position where they
//   differ wins (`/api/me/tasks` beats `/api/:user_id/tasks`), and the search falls back to a
//   parameter when a literal branch leads nowhere (`/api/me/tasks/7` still matches
//   `/api/:user_id/tasks/:id`);
// - the path alone picks the route; then the method is checked (405 with `Allow`), as in
//   PRODUCT.md "Order of checks". Methods are case-sensitive (RFC 9110 §9.1): `get` is not GET.
//   HEAD is allowed wherever GET is. `Allow` lists the configured methods (HEAD right after GET)
//   and not OPTIONS: a plain OPTIONS gets 405 unless configured; CORS preflights are answered
//   before the method check.
//
// Speed: the template trie is turned into a deterministic automaton at compile time (subset
// construction, "most specific" resolved per state), so a lookup is one Map probe per segment,
// with no backtracking, whatever the table.

import type { ConfigProblem, RouteConfig } from '../config/types.js';
import { deny, type Denial } from '../errors.js';
import { parseTemplate, type TemplateSegment } from './template.js';

export interface CompiledRoute {
  /** The template as configured; also the metrics label. */
  readonly template: string;
  /** Allowed methods, case-sensitive; includes HEAD wherever GET is. */
  readonly methods: ReadonlySet<string>;
  /** For the `Allow` header: configured order, HEAD right after GET, no OPTIONS. */
  readonly allow: readonly string[];
  /** Path parameter that must equal the token subject. */
  readonly owner?: string;
  readonly public: boolean;
}

export type RouteParams = Readonly<Record<string, string>>;

export interface RouteMatch {
  readonly route: CompiledRoute;
  /** Decoded path parameters by name (a prototype-less object). */
  readonly params: RouteParams;
}

export type MethodNotAllowed = Denial & { readonly reason: 'method_not_allowed'; readonly allow: readonly string[] };

export interface RouteTable {
  /** The route whose template matches the path, whatever the method. */
  find(segments: readonly string[]): RouteMatch | undefined;
  /** The route for this path and method, or `no_route` / `method_not_allowed` (with `allow`). */
  match(segments: readonly string[], method: string): ({ readonly ok: true } & RouteMatch) | (Denial & { readonly allow?: readonly string[] });
  /** Every compiled route, in config order (for metrics labels and docs). */
  readonly routes: readonly CompiledRoute[];
}

/** More DFA states than this means a pathological table; refuse it rather than use the memory. */
const MAX_STATES = 10_000;

const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface Terminal {
  readonly route: CompiledRoute;
  readonly denial: MethodNotAllowed;
  /** Where each parameter sits in the path: [segment index, name]. */
  readonly slots: ReadonlyArray<readonly [number, string]>;
}

interface TrieNode {
  readonly literals: Map<string, TrieNode>;
  param: TrieNode | undefined;
  terminal: Terminal | undefined;
  /** Pre-order position, literals before the parameter: lower rank = more specific. */
  rank: number;
}

interface State {
  readonly literals: Map<string, State>;
  /** Where any other non-empty segment goes (a parameter position). */
  other: State | undefined;
  terminal: Terminal | undefined;
}

const NO_ROUTE = deny('no_route');

function newNode(): TrieNode {
  return { literals: new Map(), param: undefined, terminal: undefined, rank: 0 };
}

function allowList(methods: readonly string[]): string[] {
  const allow: string[] = [];
  for (const m of methods) {
    if (allow.includes(m)) continue;
    allow.push(m);
    if (m === 'GET' && !methods.includes('HEAD')) allow.push('HEAD');
  }
  return allow;
}

/** Everything wrong with a route list, by key path; empty when `compileRoutes` will accept it. */
export function routeProblems(routes: readonly RouteConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const shapes = new Map<string, number>();
  routes.forEach((r, i) => {
    const at = `routes[${i}]`;
    const parsed = parseTemplate(r.path);
    if (!parsed.ok) {
      problems.push({ path: `${at}.path`, message: `"${r.path}" ${parsed.problem}` });
    } else {
      // Two templates that differ only in parameter names match exactly the same paths.
      const shape = parsed.segments.map((s) => (s.kind === 'param' ? ':' : `=${s.value}`)).join('/');
      const earlier = shapes.get(shape);
      if (earlier !== undefined) problems.push({ path: `${at}.path`, message: `"${r.path}" matches the same paths as routes[${earlier}]` });
      else shapes.set(shape, i);
      if (r.owner !== undefined && !parsed.segments.some((s) => s.kind === 'param' && s.name === r.owner)) {
        problems.push({ path: `${at}.owner`, message: `"${r.owner}" is not a parameter of "${r.path}"` });
      }
    }
    if (r.methods.length === 0) problems.push({ path: `${at}.methods`, message: 'must list at least one method' });
    r.methods.forEach((m, j) => {
      if (!METHOD_TOKEN.test(m)) problems.push({ path: `${at}.methods[${j}]`, message: `"${m}" is not an HTTP method token` });
    });
    if (r.public && r.owner !== undefined) problems.push({ path: `${at}.owner`, message: 'a public route has no token, so it cannot have an owner' });
  });
  return problems;
}

function compileRoute(r: RouteConfig, segments: readonly TemplateSegment[]): Terminal {
  const allow = Object.freeze(allowList(r.methods));
  const route: CompiledRoute = Object.freeze({
    template: r.path,
    methods: new Set(allow),
    allow,
    ...(r.owner !== undefined ? { owner: r.owner } : {}),
    public: r.public,
  });
  const slots: Array<readonly [number, string]> = [];
  segments.forEach((s, i) => {
    if (s.kind === 'param') slots.push([i, s.name]);
  });
  const denial = Object.freeze({ ...deny('method_not_allowed'), reason: 'method_not_allowed' as const, allow });
  return Object.freeze({ route, denial, slots: Object.freeze(slots) });
}

function buildTrie(routes: readonly RouteConfig[]): { root: TrieNode; compiled: CompiledRoute[] } {
  const root = newNode();
  const compiled: CompiledRoute[] = [];
  for (const r of routes) {
    const parsed = parseTemplate(r.path);
    if (!parsed.ok) throw new Error('unreachable: template checked by routeProblems');
    let node = root;
    for (const s of parsed.segments) {
      if (s.kind === 'param') {
        node.param ??= newNode();
        node = node.param;
      } else {
        let next = node.literals.get(s.value);
        if (!next) node.literals.set(s.value, (next = newNode()));
        node = next;
      }
    }
    node.terminal = compileRoute(r, parsed.segments);
    compiled.push(node.terminal.route);
  }
  let rank = 0;
  const number = (n: TrieNode): void => {
    n.rank = rank++;
    for (const child of n.literals.values()) number(child);
    if (n.param) number(n.param);
  };
  number(root);
  return { root, compiled };
}

/** Subset construction: a state is the set of trie nodes a path prefix can be at. */
function buildAutomaton(root: TrieNode): State {
  const states = new Map<string, State>();
  const pending: Array<{ nodes: TrieNode[]; state: State }> = [];

  const stateFor = (nodes: TrieNode[]): State => {
    nodes.sort((a, b) => a.rank - b.rank);
    const key = nodes.map((n) => n.rank).join(',');
    let state = states.get(key);
    if (!state) {
      if (states.size >= MAX_STATES) throw new Error(`the route table is too complex (more than ${MAX_STATES} matcher states)`);
      // The most specific matching template: the terminal with the lowest rank.
      state = { literals: new Map(), other: undefined, terminal: nodes.find((n) => n.terminal)?.terminal };
      states.set(key, state);
      pending.push({ nodes, state });
    }
    return state;
  };

  const start = stateFor([root]);
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { nodes, state } = item;
    const keys = new Set<string>();
    for (const n of nodes) for (const k of n.literals.keys()) keys.add(k);
    for (const k of keys) {
      const next: TrieNode[] = [];
      for (const n of nodes) {
        const lit = n.literals.get(k);
        if (lit) next.push(lit);
        // A parameter never matches the empty trailing segment.
        if (n.param && k !== '') next.push(n.param);
      }
      state.literals.set(k, stateFor(next));
    }
    const params: TrieNode[] = [];
    for (const n of nodes) if (n.param) params.push(n.param);
    if (params.length > 0) state.other = stateFor(params);
  }
  return start;
}

function paramsOf(terminal: Terminal, segments: readonly string[]): RouteParams {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [index, name] of terminal.slots) params[name] = segments[index]!;
  return params;
}

/** Compile the configured routes once, at start. Throws on any problem `routeProblems` reports. */
export function compileRoutes(routes: readonly RouteConfig[]): RouteTable {
  const problems = routeProblems(routes);
  if (problems.length > 0) throw new Error(`invalid routes: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const { root, compiled } = buildTrie(routes);
  const start = buildAutomaton(root);

  const walk = (segments: readonly string[]): Terminal | undefined => {
    let state: State | undefined = start;
    for (let i = 0; i < segments.length && state; i++) {
      const s = segments[i]!;
      state = state.literals.get(s) ?? (s.length > 0 ? state.other : undefined);
    }
    return state?.terminal;
  };

  return Object.freeze({
    routes: Object.freeze(compiled),
    find(segments: readonly string[]): RouteMatch | undefined {
      const t = walk(segments);
      return t && { route: t.route, params: paramsOf(t, segments) };
    },
    match(segments: readonly string[], method: string) {
      const t = walk(segments);
      if (!t) return NO_ROUTE;
      if (!t.route.methods.has(method)) return t.denial;
      return { ok: true as const, route: t.route, params: paramsOf(t, segments) };
    },
  });
}
