// What init has decided, before any YAML exists. Each module fills in its part; render-yaml.ts
// and summary.ts only read it.

export type Protection = 'owner' | 'protected' | 'public';

export interface PlannedRoute {
  /** The path as the OpenAPI document spells it: /api/{user_id}/tasks. */
  readonly openapiPath: string;
  /** The gateway template, base path included: /api/:user_id/tasks. */
  readonly path: string;
  /** Upper-case, in the gateway's usual order (GET, HEAD, POST, PUT, PATCH, DELETE). */
  readonly methods: readonly string[];
  /** Parameter names in path order. */
  readonly params: readonly string[];
  /** "GET listTasks: List the user's tasks", one per operation, for the YAML comment. */
  readonly operations: readonly string[];
  /** Methods whose operation says `security: []` (the document claims they need no token). */
  readonly unsecured: readonly string[];
  owner?: string;
  public: boolean;
  /** Why this route deserves a human look; shown in the YAML and in the summary. */
  readonly review: string[];
  /** A commented hint that the route might be opened with --public (never applied silently). */
  suggestPublic?: string;
}

export function protectionOf(route: PlannedRoute): Protection {
  return route.public ? 'public' : route.owner !== undefined ? 'owner' : 'protected';
}

export interface UpstreamPlan {
  /** The value written to upstream.url, maybe a ${UPSTREAM_URL:-...} reference. */
  readonly url: string;
  /** Prepended to every OpenAPI path: the path part of servers[0].url ("" when none). */
  readonly basePath: string;
  /** Where the value came from, for the summary. */
  readonly source: string;
  readonly review: readonly string[];
}

export interface IssuerPlan {
  readonly name: string;
  readonly jwksUrl?: string;
  readonly secret?: string;
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  /** Comment lines written above the issuer. */
  readonly comment: readonly string[];
}

export interface AuthPlan {
  readonly issuers: readonly IssuerPlan[];
  readonly review: readonly string[];
  /** An environment variable the file needs and that has no default (the shared secret). */
  readonly requiredEnv: readonly string[];
}

export interface InitPlan {
  /** Where the document came from, safe to print (no user:password, no query). */
  readonly source: string;
  /** "3.0.3" */
  readonly version: string;
  readonly title: string | undefined;
  readonly upstream: UpstreamPlan;
  readonly auth: AuthPlan;
  readonly routes: readonly PlannedRoute[];
  /** Document-wide warnings (owner lookalikes, methods never routed, ...). */
  readonly warnings: readonly string[];
}
