import type { IncomingMessage } from 'node:http';
import type { Authenticator, Identity } from './authn/index.js';
import { checkOwner, type CompiledRoute, type RouteTable } from './authz/index.js';
import type { CorsPolicy } from './cors/index.js';
import { deny, type Denial } from './errors.js';
import { extractBearer, parseRequestTarget, type RequestTarget } from './request/index.js';

/** What the gateway decided about one request, before anything reaches the upstream. */
export type Verdict =
  | { readonly kind: 'forward'; readonly target: RequestTarget; readonly route: CompiledRoute; readonly identity?: Identity; readonly tokenCached?: boolean }
  | { readonly kind: 'preflight'; readonly route: CompiledRoute }
  | { readonly kind: 'deny'; readonly denial: Denial; readonly route?: CompiledRoute; readonly allow?: readonly string[]; readonly identity?: Identity; readonly tokenCached?: boolean };

const METHOD_NOT_ALLOWED = deny('method_not_allowed');

export interface PipelineDeps {
  readonly routes: RouteTable;
  readonly cors: CorsPolicy;
  readonly authenticator: Authenticator;
}

/**
 * The order of checks from PRODUCT.md, and nothing else:
 * path → route → CORS preflight → method → public? → credentials and token → owner.
 * Each step returns a value; the first refusal wins.
 */
export function createPipeline({ routes, cors, authenticator }: PipelineDeps) {
  return async function decide(req: IncomingMessage): Promise<Verdict> {
    const parsed = parseRequestTarget(req.url ?? '');
    if (!parsed.ok) return { kind: 'deny', denial: parsed };
    const { target } = parsed;

    const found = routes.find(target.segments);
    if (!found) return { kind: 'deny', denial: deny('no_route') };
    const method = req.method ?? '';
    if (cors.isPreflight(method, req.headers)) return { kind: 'preflight', route: found.route };

    // One route lookup per request: the path found the route, the method only has to be in it.
    const { route, params } = found;
    if (!route.methods.has(method)) return { kind: 'deny', denial: METHOD_NOT_ALLOWED, route, allow: route.allow };
    if (route.public) return { kind: 'forward', target, route };

    const bearer = extractBearer(req.rawHeaders, target.query);
    if (!bearer.ok) return { kind: 'deny', denial: bearer, route };
    const verified = await authenticator.verify(bearer.token);
    if (!verified.ok) return { kind: 'deny', denial: verified, route };
    const { identity, cached } = verified;

    const owner = checkOwner(route, params, identity.subject);
    if (!owner.ok) return { kind: 'deny', denial: owner, route, identity, tokenCached: cached };
    return { kind: 'forward', target, route, identity, tokenCached: cached };
  };
}

export type Decide = ReturnType<typeof createPipeline>;
