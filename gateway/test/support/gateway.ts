import { Writable } from 'node:stream';
import { parseConfig } from '../../src/gateway-config.js';
import { createLogger } from '../../src/observe/logger.js';
import { startGateway, type RunningGateway } from '../../src/server.js';

export interface TestGateway extends RunningGateway {
  /** Every JSON log line the gateway wrote. */
  readonly logs: Array<Record<string, unknown>>;
  /** The raw log text, for "never logs a token" assertions. */
  logText(): string;
}

/**
 * Starts a real gateway on 127.0.0.1 (ephemeral ports) from YAML, exactly as the CLI would
 * parse it, with its logs captured in memory.
 */
export async function startTestGateway(yaml: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const { config } = parseConfig(yaml, env);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger('info', sink);
  const running = await startGateway(config, { logger });
  return {
    ...running,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
  };
}

/** The task routes of docs/contract.md, for configs in tests. */
export const TASK_ROUTES = `
routes:
  - path: /api/:user_id/tasks
    methods: [GET, POST]
    owner: user_id
  - path: /api/:user_id/tasks/:id
    methods: [GET, PUT, DELETE]
    owner: user_id
  - path: /api/:user_id/tasks/:id/complete
    methods: [PATCH]
    owner: user_id
  - path: /health
    methods: [GET]
    public: true
`;

/** A secret of 48 bytes: above the 32-byte floor for HS256 issuers. */
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const TEST_ISSUER = 'https://issuer.test';

/**
 * A config with one HS256 issuer (secret from ${TEST_SECRET}, see `testEnv`) in front of
 * `upstreamUrl`; `extra` is appended as top-level YAML.
 */
export function hs256Config(upstreamUrl: string, extra = ''): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
upstream:
  url: ${upstreamUrl}
  timeout: 2s
auth:
  issuers:
    - name: shared-secret
      secret: \${TEST_SECRET}
      algorithms: [HS256]
      issuer: ${TEST_ISSUER}
      audience: ${TEST_ISSUER}
identity_headers:
  x-user-id: sub
  x-user-email: email
cors:
  origins: [http://localhost:3000]
${TASK_ROUTES}
${extra}`;
}

export const testEnv = { TEST_SECRET };

/** A gateway in front of `upstreamUrl` that trusts a Better Auth instance's JWKS (EdDSA), as `config/gateway.yaml` does. */
export function betterAuthConfig(upstreamUrl: string, betterAuth: { readonly baseURL: string; readonly jwksUrl: string }): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
upstream: { url: ${upstreamUrl}, timeout: 2s }
auth:
  issuers:
    - name: better-auth
      jwks_url: ${betterAuth.jwksUrl}
      issuer: ${betterAuth.baseURL}
      audience: ${betterAuth.baseURL}
      algorithms: [EdDSA]
identity_headers:
  x-user-id: sub
  x-user-email: email
cors:
  origins: [http://localhost:3000]
${TASK_ROUTES}`;
}
