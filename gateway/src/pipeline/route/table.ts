// The route table: which configured route a decoded path belongs to. Default deny: a path no
// template matches has no route (404 `no_route`), and the method is checked by the caller.
//
// Matching rules:
// - a literal segment matches exactly (case-sensitive); `:name` matches one non-empty segment;
// - when several templates match, the one with a literal at the leftmost position where they
//   differ wins (`/api/me/tasks` beats `/api/:user_id/tasks`), and the search falls back to a
//   parameter when a literal branch leads nowhere (`/api/me/tasks/7` still matches
//   `/api/:user_id/tasks/:id`);
// - HEAD is allowed wherever GET is; `Allow` lists the configured methods (HEAD right after GET).
//
// Speed and safety: a trie walked literal-first with backtracking. Every trie node has exactly one
// path from the root, so a lookup visits each node at most once: the cost is bounded by the
// table's size and the path's length, never exponential, whatever the path. (A subset-construction
// automaton, tried before, blew up at compile time on real tables such as 80 owner routes beside
// 80 team routes.) Tables are compiled once, at config load.

import { deny, type Denial } from '../../errors/reasons.js';
import type { Segment } from './template.js';

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
  /** The refusal for a method this route does not allow, built once (with the Allow list). */
  readonly methodNotAllowed: Denial & { readonly allow: readonly string[] };
}

export type RouteParams = Readonly<Record<string, string>>;

export interface RouteMatch {
  readonly route: CompiledRoute;
  /** Decoded path parameters by name (a prototype-less object). */
  readonly params: RouteParams;
}

export interface RouteTable {
  /** The route whose template matches the path, whatever the method. */
  find(segments: readonly string[]): RouteMatch | undefined;
  /** The route for this path and method, or the refusal the pipeline would give (explain, tests). */
  match(segments: readonly string[], method: string): ({ readonly ok: true } & RouteMatch) | Denial;
  /** Every compiled route, in config order. */
  readonly routes: readonly CompiledRoute[];
}

const NO_ROUTE = deny('no_route');

/** What the route reader hands over: a validated route and its template's segments. */
export interface RouteSpec {
  readonly path: string;
  readonly methods: readonly string[];
  readonly owner?: string;
  readonly public: boolean;
  readonly segments: readonly Segment[];
}

interface Terminal {
  readonly route: CompiledRoute;
  /** Where each parameter sits in the path: [segment index, name]. */
  readonly slots: ReadonlyArray<readonly [number, string]>;
}

interface TrieNode {
  readonly literals: Map<string, TrieNode>;
  param: TrieNode | undefined;
  terminal: Terminal | undefined;
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

function terminalOf(spec: RouteSpec): Terminal {
  const allow = Object.freeze(allowList(spec.methods));
  const route: CompiledRoute = Object.freeze({
    template: spec.path,
    methods: new Set(allow),
    allow,
    ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
    public: spec.public,
    methodNotAllowed: Object.freeze({ ...deny('method_not_allowed'), allow }),
  });
  const slots: Array<readonly [number, string]> = [];
  spec.segments.forEach((s, i) => {
    if (s.kind === 'param') slots.push([i, s.name]);
  });
  return Object.freeze({ route, slots: Object.freeze(slots) });
}

/** Builds the table from routes the reader already validated (no two with the same shape). */
export function buildRouteTable(specs: readonly RouteSpec[]): RouteTable {
  const newNode = (): TrieNode => ({ literals: new Map(), param: undefined, terminal: undefined });
  const root = newNode();
  const compiled: CompiledRoute[] = [];
  for (const spec of specs) {
    let node = root;
    for (const s of spec.segments) {
      if (s.kind === 'param') node = node.param ??= newNode();
      else {
        let next = node.literals.get(s.value);
        if (!next) node.literals.set(s.value, (next = newNode()));
        node = next;
      }
    }
    node.terminal = terminalOf(spec);
    compiled.push(node.terminal.route);
  }

  const walk = (segments: readonly string[]): Terminal | undefined => {
    const visit = (node: TrieNode, depth: number): Terminal | undefined => {
      if (depth === segments.length) return node.terminal;
      const segment = segments[depth]!;
      const literal = node.literals.get(segment);
      const viaLiteral = literal === undefined ? undefined : visit(literal, depth + 1);
      if (viaLiteral !== undefined || node.param === undefined || segment.length === 0) return viaLiteral;
      return visit(node.param, depth + 1);
    };
    return visit(root, 0);
  };

  return Object.freeze({
    routes: Object.freeze(compiled),
    find(segments: readonly string[]): RouteMatch | undefined {
      const t = walk(segments);
      if (!t) return undefined;
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [index, name] of t.slots) params[name] = segments[index]!;
      return { route: t.route, params };
    },
    match(segments: readonly string[], method: string) {
      const found = this.find(segments);
      if (found === undefined) return NO_ROUTE;
      if (!found.route.methods.has(method)) return found.route.methodNotAllowed;
      return { ok: true as const, ...found };
    },
  });
}
