// The part of the gateway's config the proxy reads: owned here, composed by gateway-config.ts,
// so the proxy never imports the root file that assembles everything.
import type { LimitsConfig, TrustProxyConfig, UpstreamConfig } from '../config/types.js';

export interface OutgoingHeadersConfig {
  readonly trustProxy: TrustProxyConfig;
  /** Lower-case header name → claim name, in config order. */
  readonly identityHeaders: ReadonlyArray<readonly [header: string, claim: string]>;
  readonly forwardAuthorization: boolean;
}

export interface ProxyConfig extends OutgoingHeadersConfig {
  readonly upstream: UpstreamConfig;
  readonly limits: LimitsConfig;
}
