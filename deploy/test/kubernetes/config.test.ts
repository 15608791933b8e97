// The ConfigMap's gateway.yaml is a config the gateway itself accepts, fed the environment the
// Deployment gives it (its literal values, the Secret's keys as test values).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/src/config/index.js';
import { parseConfig } from '../../../gateway/src/gateway-config.js';
import { configMapText } from '../support/gateway-config.js';
import { find, loadManifests, readDeployFile } from '../support/manifests.js';
import { onlyContainer } from '../support/pods.js';

const TEST_SECRETS: Record<string, string> = {
  'better-auth-secret': randomBytes(32).toString('base64'),
  'gateway-admin-token': randomBytes(32).toString('base64url'),
  'redis-password': randomBytes(32).toString('hex'),
};

/** The container's environment as the kubelet builds it: literals, secret refs, then $(VAR). */
function podEnvironment(): Record<string, string> {
  const container = onlyContainer(find(loadManifests(), 'Deployment', 'gateway'));
  const env: Record<string, string> = {};
  for (const entry of container.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }[]) {
    const key = entry.valueFrom?.secretKeyRef?.key;
    const raw = key !== undefined ? TEST_SECRETS[key] : entry.value;
    if (raw === undefined) throw new Error(`${entry.name}: no test value for its source`);
    env[entry.name] = raw.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
  }
  return env;
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, podEnvironment());
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
}

// Warnings this config earns on purpose: the admin port binds 0.0.0.0 so the kubelet can probe
// it, and the JWKS and Redis are reached in-cluster over plain http and redis://.
const EXPECTED_WARNINGS = [/^admin\.host: /, /^auth\.issuers\[0\]\.jwks_url: /, /^store\.redis_url: /];

describe('the ConfigMap gateway.yaml', () => {
  it('is the same text as deploy/compose/gateway.yaml', () => {
    expect(configMapText()).toBe(readDeployFile('compose/gateway.yaml'));
  });

  it('is accepted by the gateway config parser, with only the expected warnings', () => {
    expect(problemsOf(configMapText())).toEqual([]);
    const { config, warnings } = parseConfig(configMapText(), podEnvironment());
    for (const warning of warnings) expect(EXPECTED_WARNINGS.some((w) => w.test(warning)), warning).toBe(true);
    expect(config.admin).toMatchObject({ host: '0.0.0.0', port: 9090 });
  });

  it('is refused when a required variable is missing (the check can fail)', () => {
    const env = podEnvironment();
    delete env['UPSTREAM_URL'];
    expect(() => parseConfig(configMapText(), env)).toThrow(ConfigError);
  });
});
