// The one reference the server reads per request, and how a reload replaces it: prepare a new
// state beside the running one (validated config in, new issuers' keys fetched), then commit
// (one assignment; requests already running keep the state they hold) or abort (nothing changed).
import type { ConfigProblem } from '../config/types.js';
import type { GatewayConfig } from '../gateway-config.js';
import { changedKeys, restartProblems } from './changes.js';
import { buildState, type ServingState, type StateDeps } from './state.js';

export interface PreparedReload {
  /** Top-level keys whose value changes. */
  readonly changed: readonly string[];
  readonly hash: string;
  /** New requests get the new state from now on. */
  commit(): void;
  /** The running state stays; what was built for the new one is closed. */
  abort(): Promise<void>;
}

export type PrepareResult = { readonly ok: true; readonly prepared: PreparedReload } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export class ServingHolder {
  private state: ServingState;
  private preparing = false;
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    config: GatewayConfig,
    private readonly deps: StateDeps,
    /** Applies what lives outside the state (the listener's timeouts, the log level). */
    private readonly onCommit: (config: GatewayConfig) => void = () => {},
  ) {
    this.state = buildState(config, deps);
  }

  get current(): ServingState {
    return this.state;
  }

  /** The state a starting request holds until its answer is complete (then `release()` it). */
  hold(): ServingState {
    return this.state.hold();
  }

  /**
   * Builds the state for `config` and fetches the keys of issuers that are new or changed
   * (bounded by auth.jwks_timeout). Refused: a change to a key that needs a restart; a new or
   * changed JWKS issuer whose keys could not be fetched (the running state keeps serving
   * rather than turning its issuer's tokens into 503s); a reload already being prepared.
   */
  async prepare(config: GatewayConfig): Promise<PrepareResult> {
    if (this.preparing) return { ok: false, problems: [{ path: '(reload)', message: 'another reload is still being prepared; try again' }] };
    const before = this.state;
    const changed = changedKeys(before.config, config);
    const refused = restartProblems(changed);
    if (refused.length > 0) return { ok: false, problems: refused };

    this.preparing = true;
    let next: ServingState;
    try {
      next = buildState(config, this.deps, before);
      const withoutKeys = next.authenticator === before.authenticator ? [] : await next.authenticator.start();
      if (withoutKeys.length > 0) {
        await next.discard(before);
        return { ok: false, problems: withoutKeys.map((name) => keysProblem(config, name)) };
      }
    } catch (error) {
      return { ok: false, problems: [{ path: '(reload)', message: `could not build the new config: ${(error as Error).message}` }] };
    } finally {
      this.preparing = false;
    }

    let settled = false;
    return {
      ok: true,
      prepared: {
        changed,
        hash: next.hash,
        commit: () => {
          if (settled) return;
          settled = true;
          if (this.state !== before) throw new Error('the running config changed while this reload was prepared');
          this.state = next;
          this.onCommit(config);
          const retired = before.retire(next).finally(() => this.retiring.delete(retired));
          this.retiring.add(retired);
        },
        abort: async () => {
          if (settled) return;
          settled = true;
          await next.discard(before);
        },
      },
    };
  }

  /** Shutdown: waits for replaced states to finish their requests, then closes the running one. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.retiring]);
    await this.state.close();
  }
}

function keysProblem(config: GatewayConfig, issuerName: string): ConfigProblem {
  const index = config.auth.issuers.findIndex((issuer) => issuer.name === issuerName);
  const issuer = config.auth.issuers[index];
  const url = issuer?.keySource.kind === 'jwks' ? ` from ${issuer.keySource.jwksUrl}` : '';
  return {
    path: `auth.issuers[${index}].jwks_url`,
    message: `no usable keys could be fetched${url} within auth.jwks_timeout (${config.auth.jwksTimeoutMs} ms); the running config stays — fix the key endpoint, then reload again`,
  };
}
