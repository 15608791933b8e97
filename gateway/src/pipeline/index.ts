// decide(request): the order of checks, and nothing else. Each stage returns a value (the next
// input, or a denial with a reason code); the first refusal wins and nothing is forwarded.
//
//   target (head, then path) → route → CORS preflight → method → public? → credentials → token → revoked? → owner → limits
//
// The verdict is a value handed to whoever answers or forwards; no stage mutates the request.
// `gateway explain` passes a trace and prints what each stage reported (trace.ts); the live
// path passes none, and a report then costs one `undefined` check.
import type { IncomingMessage } from 'node:http';
import { deny, type Denial } from '../errors/reasons.js';
import type { Identity, Verifier, VerifyResult } from './authn/index.js';
import type { CorsPolicy } from './cors/policy.js';
import { extractBearer } from './credentials/index.js';
import type { Admission, LimitsStage } from './limits/index.js';
import { checkOwner } from './owner/index.js';
import type { RevocationList } from './revocation/index.js';
import type { CompiledRoute, RouteTable } from './route/index.js';
import { checkRequestHead, parseRequestTarget, type RequestTarget } from './target/index.js';
import { passedBy, refusedBy, type Trace } from './trace.js';

/** What the gateway decided about one request, before anything reaches the upstream. */
export type Verdict =
  | { readonly kind: 'forward'; readonly target: RequestTarget; readonly route: CompiledRoute; readonly admission: Admission; readonly identity?: Identity; readonly tokenCached?: boolean }
  | { readonly kind: 'preflight'; readonly route: CompiledRoute }
  | { readonly kind: 'deny'; readonly denial: Denial; readonly route?: CompiledRoute; readonly identity?: Identity; readonly tokenCached?: boolean };

export interface PipelineStages {
  readonly routes: RouteTable;
  readonly cors: CorsPolicy;
  readonly authenticator: Verifier;
  /** Consulted on every token, cached or not: a revoked token never reaches the owner rule. */
  readonly revocations: Pick<RevocationList, 'check'> & { /** What a trace says when nothing is revoked (explain has no live list). */ readonly passDetail?: string };
  /** The caller's share and rate: after the owner rule, so only requests that would be forwarded count. */
  readonly limits: LimitsStage;
}

const NO_ROUTE = { kind: 'deny', denial: deny('no_route') } as const satisfies Verdict;

export function createPipeline({ routes, cors, authenticator, revocations, limits }: PipelineStages) {
  function verdictOf(admitted: Admission | Denial, target: RequestTarget, route: CompiledRoute, identity: Identity | undefined, cached: boolean | undefined, trace: Trace | undefined): Verdict {
    const who = identity ? { identity, tokenCached: cached } : {};
    if ((admitted as Denial).ok === false) return refusedBy(trace, 'limits', { kind: 'deny', denial: admitted as Denial, route, ...who });
    return { kind: 'forward', target, route, admission: admitted as Admission, ...who };
  }

  /** The last stage: the caller's share and rate. Synchronous unless the route has a rate limit. */
  function limit(req: IncomingMessage, target: RequestTarget, route: CompiledRoute, identity: Identity | undefined, cached: boolean | undefined, trace: Trace | undefined): Verdict | Promise<Verdict> {
    const admitted = limits.admit(req, route, identity, trace);
    if (admitted instanceof Promise) return admitted.then((a) => verdictOf(a, target, route, identity, cached, trace));
    return verdictOf(admitted, target, route, identity, cached, trace);
  }

  /** Everything after the token: is it revoked, then its identity against the route, then the limits. */
  function authorize(req: IncomingMessage, target: RequestTarget, route: CompiledRoute, params: Readonly<Record<string, string>>, identity: Identity, cached: boolean, trace: Trace | undefined): Verdict | Promise<Verdict> {
    const revoked = revocations.check(identity);
    if (revoked !== undefined) return refusedBy(trace, 'revocation', { kind: 'deny', denial: revoked, route, identity, tokenCached: cached });
    trace?.({ step: 'revocation', ok: true, detail: revocations.passDetail ?? 'no revocation covers this token' });
    const owner = checkOwner(route, params, identity.subject);
    if (!owner.ok) return refusedBy(trace, 'owner', { kind: 'deny', denial: owner, route, identity, tokenCached: cached });
    trace?.({ step: 'owner', ok: true, detail: route.owner === undefined ? 'the route has no owner rule' : `path ${route.owner} equals the subject` });
    return limit(req, target, route, identity, cached, trace);
  }

  /** The token's verdict, then everything after it. */
  function afterToken(req: IncomingMessage, target: RequestTarget, route: CompiledRoute, params: Readonly<Record<string, string>>, verified: VerifyResult, trace: Trace | undefined): Verdict | Promise<Verdict> {
    if (!verified.ok) return refusedBy(trace, 'token', { kind: 'deny', denial: verified, route });
    trace?.({ step: 'token', ok: true, detail: `verified by issuer ${verified.identity.issuer}, subject ${verified.identity.subject}`, data: { claims: verified.identity.claims } });
    return authorize(req, target, route, params, verified.identity, verified.cached, trace);
  }

  /**
   * Synchronous as far as it can be: a refusal before the token, and a token the cache already
   * verified, decide without a promise; a token that needs its keys (or a rate limit in a shared
   * store) makes the verdict a promise. Callers await either.
   */
  return function decide(req: IncomingMessage, trace?: Trace): Verdict | Promise<Verdict> {
    const head = checkRequestHead(req);
    if (head !== undefined) return refusedBy(trace, 'target', { kind: 'deny', denial: head });
    const parsed = parseRequestTarget(req.url ?? '');
    if (!parsed.ok) return refusedBy(trace, 'target', { kind: 'deny', denial: parsed });
    const { target } = parsed;
    trace?.({ step: 'target', ok: true, detail: `canonical path ${target.path}`, data: { segments: target.segments, query: target.query } });

    const found = routes.find(target.segments);
    if (found === undefined) return refusedBy(trace, 'route', NO_ROUTE);
    const { route, params } = found;
    trace?.({ step: 'route', ok: true, detail: route.template, data: { params: { ...params }, route } });
    const method = req.method ?? '';
    if (cors.isPreflight(method, req.headers)) return passedBy(trace, 'preflight', 'a CORS preflight: the gateway answers it', { kind: 'preflight', route });
    trace?.({ step: 'preflight', ok: true, detail: 'not a CORS preflight' });
    if (!route.methods.has(method)) return refusedBy(trace, 'method', { kind: 'deny', denial: route.methodNotAllowed, route });
    trace?.({ step: 'method', ok: true, detail: `${method} is allowed (${route.allow.join(', ')})` });
    if (route.public) {
      trace?.({ step: 'public', ok: true, detail: 'a public route: no token needed, no identity headers' });
      return limit(req, target, route, undefined, undefined, trace);
    }
    trace?.({ step: 'public', ok: true, detail: 'a protected route: a token is needed' });

    const bearer = extractBearer(req.rawHeaders, target.query);
    if (!bearer.ok) return refusedBy(trace, 'credentials', { kind: 'deny', denial: bearer, route });
    trace?.({ step: 'credentials', ok: true, detail: `one Bearer token (${Buffer.byteLength(bearer.token)} bytes)` });
    const verified = authenticator.verify(bearer.token, trace);
    if (verified instanceof Promise) return verified.then((result) => afterToken(req, target, route, params, result, trace));
    return afterToken(req, target, route, params, verified, trace);
  };
}

export type Decide = ReturnType<typeof createPipeline>;
