// The gateway's configuration after loading, substitution and validation.
// Everything here is already parsed: durations are milliseconds, sizes are bytes,
// header names are lower-case. The hot path never looks at YAML or unparsed strings.

export interface ListenConfig {
  readonly host: string;
  readonly port: number;
}

export type IssuerKeySource =
  | { readonly kind: 'jwks'; readonly jwksUrl: string }
  | { readonly kind: 'secret'; readonly secret: string };

export interface IssuerConfig {
  readonly name: string;
  readonly keySource: IssuerKeySource;
  /** JWS `alg` values this issuer accepts; a token never chooses its own key type. */
  readonly algorithms: readonly string[];
  /** Expected `iss`; when set it also decides which issuers are candidates for a token. */
  readonly issuer?: string;
  /** Expected `aud` (one of these must be in the token's `aud`). */
  readonly audience?: readonly string[];
}

export interface AuthConfig {
  readonly issuers: readonly IssuerConfig[];
  readonly clockToleranceMs: number;
  readonly subjectClaim: string;
  readonly jwksCacheMs: number;
  readonly jwksCooldownMs: number;
  readonly jwksTimeoutMs: number;
  readonly jwksMaxStaleMs: number;
  /** Max entries in the verified-token cache; 0 disables it. */
  readonly tokenCacheSize: number;
  /** Max estimated bytes of the verified-token cache (pipeline/authn/entry-size.ts); 0 disables it. */
  readonly tokenCacheBytes: number;
}

export interface RouteConfig {
  /** Template as written, e.g. `/api/:user_id/tasks/:id` — also the metrics label. */
  readonly path: string;
  /** Upper-case methods as written (HEAD is implied wherever GET is). */
  readonly methods: readonly string[];
  /** Name of the path parameter that must equal the token subject. */
  readonly owner?: string;
  readonly public: boolean;
  /** The route's own rate limit, `off`, or absent (the top-level `rate_limit` applies). */
  readonly rateLimit?: RateLimitPolicy | 'off';
}

/** `rate_limit: { requests: 100, per: 1m }`: at most `requests` per subject in each window of `perSeconds`. */
export interface RateLimitPolicy {
  readonly requests: number;
  readonly perSeconds: number;
}

export interface LimitsConfig {
  readonly bodyBytes: number;
  readonly headerTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** A response that moves nothing for this long (the client reads nothing, or the upstream sends nothing) is cut off. */
  readonly responseIdleTimeoutMs: number;
  /** A request body that sends nothing for this long: 408 (or cut after a response head), upstream request aborted. */
  readonly bodyIdleTimeoutMs: number;
  /** Requests of one subject (client address on public routes) in flight upstream at once, per process. */
  readonly concurrentPerSubject: number;
}

export interface UpstreamConfig {
  readonly url: string;
  readonly timeoutMs: number;
  /** Keep-alive connections to the upstream. */
  readonly connections: number;
}

export interface CorsConfig {
  readonly origins: readonly string[];
  readonly maxAgeSeconds: number;
}

/** false: never believe X-Forwarded-*; true: believe every peer; list: believe peers in these CIDRs. */
export type TrustProxyConfig = boolean | readonly string[];

/** One problem found while loading a config, addressed by its key path (`auth.issuers[1].secret`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}
