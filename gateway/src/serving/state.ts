// The request-handling state: everything a request is decided and answered with, built from one
// validated config and never changed afterwards. A reload builds a new state and the server swaps
// one reference; a request keeps the state it started with until its answer is complete, and a
// replaced state closes what its successor did not take over once its last request is done.
import type { GatewayConfig } from '../gateway-config.js';
import { createResponder, type Responder } from '../errors/respond.js';
import type { CompiledRoute } from '../pipeline/route/table.js';
import { createAuthenticator, type Authenticator, type AuthnDeps, type AuthnEvents, type KeySourceFactory } from '../pipeline/authn/index.js';
import { createCorsPolicy } from '../pipeline/cors/policy.js';
import { createPipeline, type Decide } from '../pipeline/index.js';
import { createLimits, type LimitsStage } from '../pipeline/limits/index.js';
import type { RateStore } from '../pipeline/limits/rate-limit.js';
import type { RevocationList } from '../pipeline/revocation/index.js';
import { createForward, type Forward } from '../proxy/proxy.js';
import { createUpstream, type Upstream } from '../proxy/upstream.js';
import { sameSection } from './changes.js';
import { configHash } from './config-hash.js';

export interface ServingState {
  readonly config: GatewayConfig;
  readonly hash: string;
  readonly authenticator: Authenticator;
  readonly upstream: Upstream;
  /** Per-subject concurrency and rate limits: counts carried over from the state it replaced. */
  readonly limits: LimitsStage;
  readonly decide: Decide;
  readonly respond: Responder<CompiledRoute>;
  readonly forward: Forward;
  /** A request starts under this state; returns the state for convenience. */
  hold(): ServingState;
  /** That request's answer is complete. */
  release(): void;
  /** No new request gets this state; resolves once its held requests are done and what `successor` does not reuse is closed. */
  retire(successor: ServingState): Promise<void>;
  /** Closes everything it owns, now (shutdown, after the server stopped taking requests). */
  close(): Promise<void>;
  /** Drops a state that never served: closes what it did not take over from `predecessor`. */
  discard(predecessor: ServingState): Promise<void>;
}

export interface StateDeps {
  /** Key fetches and key changes, reported the same way whichever state's key set did them. */
  readonly authnEvents: AuthnEvents;
  /** The process's revocation list: it outlives every state (the store is a restart key). */
  readonly revocations: Pick<RevocationList, 'check'>;
  /** Where rate limits count (the process's Redis, or memory): a restart key, like the revocation store. */
  readonly rateStore: RateStore;
  /** A cluster worker's key sets are handed their primary's documents; otherwise each fetches its own. */
  readonly keySources?: KeySourceFactory;
}

/**
 * Builds a state. With `previous`, the parts whose config is unchanged are reused as they are:
 * the authenticator when `auth` is identical (keys and the verified-token cache kept), else the
 * key sets of unchanged issuers; the upstream pool when `upstream` is identical. The limits
 * always carry over: in-flight counts as they are, rate counters of every unchanged policy.
 */
export function buildState(config: GatewayConfig, deps: StateDeps, previous?: ServingState): ServingState {
  const authenticator =
    previous && sameSection(previous.config.auth, config.auth)
      ? previous.authenticator
      : createAuthenticator(config.auth, deps.authnEvents, authnDeps(deps, previous));
  const upstream = previous && sameSection(previous.config.upstream, config.upstream) ? previous.upstream : createUpstream(config.upstream);
  const limits = createLimits(config, deps.rateStore, previous?.limits);
  const cors = createCorsPolicy(config.cors);
  const decide = createPipeline({ routes: config.routeTable, cors, authenticator, revocations: deps.revocations, limits });
  const respond = createResponder<CompiledRoute>(config.realm, cors);
  const forward = createForward(config, upstream, respond);

  let held = 0;
  let drained: (() => void) | undefined;

  /** Closes the parts `other` does not share. */
  async function closeExcept(other: ServingState | undefined): Promise<void> {
    if (authenticator !== other?.authenticator) authenticator.close(other?.authenticator);
    if (upstream !== other?.upstream) await upstream.close().catch(() => undefined);
  }

  const state: ServingState = {
    config,
    hash: configHash(config),
    authenticator,
    upstream,
    limits,
    decide,
    respond,
    forward,
    hold() {
      held++;
      return state;
    },
    release() {
      held--;
      if (held === 0 && drained !== undefined) drained();
    },
    async retire(successor) {
      if (held > 0) await new Promise<void>((resolve) => (drained = resolve));
      await closeExcept(successor);
    },
    close: () => closeExcept(undefined),
    discard: (predecessor) => closeExcept(predecessor),
  };
  return state;
}

function authnDeps(deps: StateDeps, previous: ServingState | undefined): AuthnDeps {
  return { ...(previous ? { adopt: previous.authenticator } : {}), ...(deps.keySources ? { keySources: deps.keySources } : {}) };
}
