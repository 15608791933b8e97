// What a reload changes, by top-level config key, and which of those changes a reload refuses.
import type { ConfigProblem } from '../config/types.js';
import type { GatewayConfig } from '../gateway-config.js';
import { canonicalJson } from './canonical.js';

/**
 * Keys bound to what the process set up at start: sockets it listens on, processes it forked,
 * connections to a shared store. Changing one needs a restart; a reload that does is refused.
 */
export const RESTART_KEYS: readonly string[] = ['listen', 'admin', 'workers', 'store', 'revocation'];

/** Fields compiled from other fields (compared through their source). */
const DERIVED_FIELDS: ReadonlySet<string> = new Set(['routeTable']);

/** The config's comparable sections by their YAML key (`identityHeaders` → `identity_headers`). */
export function comparedSections(config: GatewayConfig): Record<string, unknown> {
  const sections: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(config)) {
    if (DERIVED_FIELDS.has(field)) continue;
    sections[field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)] = value;
  }
  // admin.token is read into its own field; it is part of the `admin` key (compared, never shown).
  delete sections['admin_token'];
  sections['admin'] = { ...config.admin, token: config.adminToken };
  return sections;
}

/** Top-level keys whose validated value differs, in the order the config lists them. */
export function changedKeys(before: GatewayConfig, after: GatewayConfig): string[] {
  const a = comparedSections(before);
  const b = comparedSections(after);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key]));
}

/** One problem per changed key that only a restart can apply. */
export function restartProblems(changed: readonly string[]): ConfigProblem[] {
  return changed
    .filter((key) => RESTART_KEYS.includes(key))
    .map((key) => ({ path: key, message: 'cannot change on a reload (it is bound at start); restart the gateway to apply it — the running config stays' }));
}

/** Whether one section is the same in both configs (decides what a reload may reuse). */
export function sameSection(before: unknown, after: unknown): boolean {
  return canonicalJson(before) === canonicalJson(after);
}
