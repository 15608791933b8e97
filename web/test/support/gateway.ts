// The real gateway, started from its bin with a config written for the test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startChild, type Child } from './child.js';
import { repoRoot } from './paths.js';
import { isOk, waitUntil } from './wait.js';

export interface GatewayOptions {
  upstreamUrl: string;
  /** The web app's origin: Better Auth's iss and aud, and the browser origin CORS allows. */
  webOrigin: string;
  /** BETTER_AUTH_SECRET, given to the gateway through its environment (never written to disk). */
  secret: string;
  /** Which issuers to trust: Better Auth's JWKS (EdDSA), the shared secret (HS256), or both. */
  issuers?: Array<'jwks' | 'shared-secret'>;
  /** Wait for /readyz before returning (default true). False when the JWKS is served later. */
  waitReady?: boolean;
  /** admin.token (GATEWAY_ADMIN_TOKEN, through the environment): turns on POST /revocations. */
  adminToken?: string;
}

export interface RunningGateway {
  url: string;
  adminUrl: string;
  child: Child;
  /** Resolves once the keys are fetched from every JWKS issuer and the upstream is reachable. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function configYaml(o: GatewayOptions): string {
  const issuers = o.issuers ?? ['jwks', 'shared-secret'];
  const lines = [
    'listen: { host: 127.0.0.1, port: 0 }',
    o.adminToken ? 'admin: { host: 127.0.0.1, port: 0, token: "${GATEWAY_ADMIN_TOKEN}" }' : 'admin: { host: 127.0.0.1, port: 0 }',
    `upstream: { url: "${o.upstreamUrl}", timeout: 10s }`,
    'auth:',
    '  issuers:',
  ];
  if (issuers.includes('jwks')) {
    lines.push(
      '    - name: better-auth',
      `      jwks_url: "${o.webOrigin}/api/auth/jwks"`,
      `      issuer: "${o.webOrigin}"`,
      `      audience: "${o.webOrigin}"`,
      '      algorithms: [EdDSA]',
    );
  }
  if (issuers.includes('shared-secret')) {
    lines.push(
      '    - name: shared-secret',
      '      secret: ${BETTER_AUTH_SECRET}',
      `      issuer: "${o.webOrigin}"`,
      `      audience: "${o.webOrigin}"`,
      '      algorithms: [HS256]',
    );
  }
  lines.push(
    'identity_headers: { x-user-id: sub, x-user-email: email }',
    `cors: { origins: ["${o.webOrigin}"] }`,
    'routes:',
    '  - { path: /api/:user_id/tasks, methods: [GET, POST], owner: user_id }',
    '  - { path: /api/:user_id/tasks/:id, methods: [GET, PUT, DELETE], owner: user_id }',
    '  - { path: /api/:user_id/tasks/:id/complete, methods: [PATCH], owner: user_id }',
    '  - { path: /health, methods: [GET], public: true }',
  );
  return `${lines.join('\n')}\n`;
}

// WEB_TEST_GATEWAY_BIN: run these tests against another gateway build (default: this repo's).
const gatewayBin = () => process.env.WEB_TEST_GATEWAY_BIN ?? path.join(repoRoot, 'gateway/bin/gateway.js');

/**
 * Whether this gateway build has revocation: its --check-config accepts `admin.token` (a
 * gateway without it refuses the key as unknown). Returns the refusal, or null when supported.
 */
export function revocationUnsupportedReason(): string | null {
  const config = [
    'listen: { host: 127.0.0.1, port: 0 }',
    'admin: { host: 127.0.0.1, port: 0, token: "${GATEWAY_ADMIN_TOKEN}" }',
    'upstream: { url: "http://127.0.0.1:9" }',
    'auth: { issuers: [{ name: probe, jwks_url: "http://127.0.0.1:9/jwks", issuer: "http://probe", audience: "http://probe", algorithms: [EdDSA] }] }',
    'routes: [{ path: /health, methods: [GET], public: true }]',
  ].join('\n');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'web-test-probe-'));
  try {
    const file = path.join(dir, 'probe.yaml');
    writeFileSync(file, `${config}\n`);
    const result = spawnSync(process.execPath, [gatewayBin(), '--check-config', file], {
      env: { ...process.env, GATEWAY_ADMIN_TOKEN: 'p'.repeat(48) },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return result.status === 0 ? null : `${result.stdout}${result.stderr}`.trim() || `exit ${result.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'web-test-gateway-'));
  const configFile = path.join(dir, 'gateway.yaml');
  await fs.writeFile(configFile, configYaml(options));
  const child = startChild('gateway', process.execPath, [gatewayBin(), '--config', configFile], {
    env: {
      ...process.env,
      BETTER_AUTH_SECRET: options.secret,
      ...(options.adminToken ? { GATEWAY_ADMIN_TOKEN: options.adminToken } : {}),
    },
  });
  const stop = async () => {
    await child.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    const { url, adminUrl } = await child.waitFor((line) => {
      if (!line.startsWith('{')) return undefined;
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string; admin_url?: string };
        return entry.msg === 'listening' && entry.url && entry.admin_url ? { url: entry.url, adminUrl: entry.admin_url } : undefined;
      } catch {
        return undefined;
      }
    }, 20_000);
    const ready = (timeoutMs = 20_000) => waitUntil('the gateway to be ready', () => isOk(`${adminUrl}/readyz`), timeoutMs);
    if (options.waitReady ?? true) await ready();
    return { url, adminUrl, child, ready, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
