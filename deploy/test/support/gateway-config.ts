// The gateway config the ConfigMap carries, read as plain YAML (the gateway's own parser is
// exercised separately in kubernetes/config.test.ts).
import { parse } from 'yaml';
import { find, loadManifests } from './manifests.js';

export const CONFIG_KEY = 'gateway.yaml';

export function configMapText(): string {
  const text = find(loadManifests(), 'ConfigMap', 'gateway-config').doc.data?.[CONFIG_KEY];
  if (typeof text !== 'string') throw new Error(`ConfigMap gateway-config has no ${CONFIG_KEY}`);
  return text;
}

export interface RawGatewayConfig {
  listen: { host: string; port: number };
  admin: { host: string; port: number; token?: string };
  limits: { request_timeout: string };
  store?: { redis_url: string };
  [key: string]: unknown;
}

export function rawConfig(text: string = configMapText()): RawGatewayConfig {
  return parse(text, { uniqueKeys: true }) as RawGatewayConfig;
}

/** ${NAME} references without a default: the gateway refuses to start unless each is set. */
export function requiredEnv(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    for (const m of line.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1] as string);
  }
  return [...names].sort();
}
