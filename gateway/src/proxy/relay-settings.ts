// What a relay (response-relay.ts) is given and what it gives back. The settings are shared by
// every relay of one upstream: built once per config's time-outs (the frozen limits of a
// serving state), never per request, so a relay costs no settings object.
import type { ProxyTimeouts } from './timeouts-config.js';
import type { UpstreamLoad } from './upstream-load.js';

export interface RelaySettings {
  /** upstream.timeout: until the response head, time queued for a connection included. */
  readonly headTimeoutMs: number;
  /** limits.response_idle_timeout: how long the client may take nothing of the response. */
  readonly idleTimeoutMs: number;
  readonly load: UpstreamLoad;
}

/** The settings for a request served under `timeouts` (a reload may change them; the pool and its load stay). */
export function relaySettings(headTimeoutMs: number, load: UpstreamLoad): (timeouts: ProxyTimeouts) => RelaySettings {
  const made = new WeakMap<ProxyTimeouts, RelaySettings>();
  return (timeouts) => {
    let settings = made.get(timeouts);
    if (!settings) made.set(timeouts, (settings = { headTimeoutMs, idleTimeoutMs: timeouts.responseIdleTimeoutMs, load }));
    return settings;
  };
}

/** What one exchange came to, for the proxy's ForwardResult. */
export interface RelayResult {
  /** 0 when no response head arrived. */
  readonly status: number;
  readonly upstreamMs: number;
  readonly error?: Error;
  /** The client went away before the response was complete. */
  readonly clientGone: boolean;
}
