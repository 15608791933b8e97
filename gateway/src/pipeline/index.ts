// decide(request): the order of checks, and nothing else. Each stage returns a value (the next
// input, or a denial with a reason code); the first refusal wins and nothing is forwarded.
//
//   target → route → CORS preflight → method → public? → credentials → token → revoked? → owner
//
// The verdict is a value handed to whoever answers or forwards; no stage mutates the request.
import type { IncomingMessage } from 'node:http';
import { deny, type Denial } from '../errors/reasons.js';
import type { Authenticator, Identity } from './authn/index.js';
import type { CorsPolicy } from './cors/policy.js';
import { extractBearer } from './credentials/index.js';
import { checkOwner } from './owner/index.js';
import type { RevocationList } from './revocation/index.js';
import type { CompiledRoute, RouteTable } from './route/index.js';
import { parseRequestTarget, type RequestTarget } from './target/index.js';

/** What the gateway decided about one request, before anything reaches the upstream. */
export type Verdict =
  | { readonly kind: 'forward'; readonly target: RequestTarget; readonly route: CompiledRoute; readonly identity?: Identity; readonly tokenCached?: boolean }
  | { readonly kind: 'preflight'; readonly route: CompiledRoute }
  | { readonly kind: 'deny'; readonly denial: Denial; readonly route?: CompiledRoute; readonly identity?: Identity; readonly tokenCached?: boolean };

export interface PipelineStages {
  readonly routes: RouteTable;
  readonly cors: CorsPolicy;
  readonly authenticator: Authenticator;
  /** Consulted on every token, cached or not: a revoked token never reaches the owner rule. */
  readonly revocations: Pick<RevocationList, 'check'>;
}

const NO_ROUTE: Verdict = { kind: 'deny', denial: deny('no_route') };

export function createPipeline({ routes, cors, authenticator, revocations }: PipelineStages) {
  /** Everything after the token: is it revoked, then its identity against the route. */
  function authorize(target: RequestTarget, route: CompiledRoute, params: Readonly<Record<string, string>>, identity: Identity, cached: boolean): Verdict {
    const revoked = revocations.check(identity);
    if (revoked !== undefined) return { kind: 'deny', denial: revoked, route, identity, tokenCached: cached };
    const owner = checkOwner(route, params, identity.subject);
    if (!owner.ok) return { kind: 'deny', denial: owner, route, identity, tokenCached: cached };
    return { kind: 'forward', target, route, identity, tokenCached: cached };
  }

  return async function decide(req: IncomingMessage): Promise<Verdict> {
    const parsed = parseRequestTarget(req.url ?? '');
    if (!parsed.ok) return { kind: 'deny', denial: parsed };
    const { target } = parsed;

    const found = routes.find(target.segments);
    if (found === undefined) return NO_ROUTE;
    const { route, params } = found;
    const method = req.method ?? '';
    if (cors.isPreflight(method, req.headers)) return { kind: 'preflight', route };
    if (!route.methods.has(method)) return { kind: 'deny', denial: route.methodNotAllowed, route };
    if (route.public) return { kind: 'forward', target, route };

    const bearer = extractBearer(req.rawHeaders, target.query);
    if (!bearer.ok) return { kind: 'deny', denial: bearer, route };
    const verified = await authenticator.verify(bearer.token);
    if (!verified.ok) return { kind: 'deny', denial: verified, route };
    return authorize(target, route, params, verified.identity, verified.cached);
  };
}

export type Decide = ReturnType<typeof createPipeline>;
