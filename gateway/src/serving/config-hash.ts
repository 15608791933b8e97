// The config's fingerprint, as logged on reload and exported as gateway_config_info{hash}: the
// first 16 hex digits of SHA-256 over the validated config (defaults filled in, ${VAR}s
// substituted), so two replicas with the same hash enforce the same rules.
//
// Secret values are left out before hashing: the hash is published (logs, /metrics), and a hash
// of a guessable secret could be checked against guesses. A rotated secret therefore shows in
// the reload's `changed` list (auth) but not in the hash.
import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../gateway-config.js';
import { canonicalJson } from './canonical.js';
import { comparedSections } from './changes.js';

export function configHash(config: GatewayConfig): string {
  const text = canonicalJson(comparedSections(config), { redactSecrets: true });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
