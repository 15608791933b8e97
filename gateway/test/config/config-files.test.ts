// Every config shipped under config/ is documentation users copy: each must load, and only
// with the environment its header comment says it needs.
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { loadConfig } from '../../src/gateway-config.js';
import { GOOD_SECRET } from './helpers.js';

const CONFIG_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../config');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

/** The variables the shipped configs require; nothing else from process.env leaks in. */
const ENV = {
  BETTER_AUTH_SECRET: GOOD_SECRET,
  JWT_SECRET: GOOD_SECRET,
  AUTH_URL: 'https://auth.example.com',
  UPSTREAM_URL: 'http://tasks.internal:8000',
};

describe('config files under config/', () => {
  const files = yamlFiles(CONFIG_DIR);

  it('include the stack config and the examples', () => {
    expect(files.map((f) => relative(CONFIG_DIR, f)).sort()).toEqual(expect.arrayContaining(['gateway.yaml', 'examples/jwks-only.yaml']));
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files.map((f) => [relative(CONFIG_DIR, f), f]))('%s loads', (_name, file) => {
    const { config } = loadConfig(file, ENV);
    expect(config.routes.length).toBeGreaterThan(0);
    expect(config.auth.issuers.length).toBeGreaterThan(0);
  });

  it('gateway.yaml is the stack npm start runs, warning-free', () => {
    const { config, warnings } = loadConfig(join(CONFIG_DIR, 'gateway.yaml'), { BETTER_AUTH_SECRET: GOOD_SECRET });
    expect(warnings).toEqual([]);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(config.upstream.url).toBe('http://127.0.0.1:8000');
    expect(config.auth.issuers.map((i) => [i.name, i.keySource.kind, i.algorithms, i.issuer, i.audience])).toEqual([
      ['better-auth', 'jwks', ['EdDSA'], 'http://localhost:3000', ['http://localhost:3000']],
      ['shared-secret', 'secret', ['HS256'], 'http://localhost:3000', ['http://localhost:3000']],
    ]);
    expect(config.auth.issuers[0]!.keySource).toEqual({ kind: 'jwks', jwksUrl: 'http://127.0.0.1:3000/api/auth/jwks' });
    expect(config.routes.map((r) => `${r.methods.join(',')} ${r.path} ${r.owner ?? (r.public ? 'public' : '')}`)).toEqual([
      'GET,POST /api/:user_id/tasks user_id',
      'GET,PUT,DELETE /api/:user_id/tasks/:id user_id',
      'PATCH /api/:user_id/tasks/:id/complete user_id',
      'GET /health public',
    ]);
    expect(config.cors.origins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
  });

  it('gateway.yaml follows the environment it documents', () => {
    const { config } = loadConfig(join(CONFIG_DIR, 'gateway.yaml'), {
      BETTER_AUTH_SECRET: GOOD_SECRET,
      GATEWAY_PORT: '18080',
      UPSTREAM_URL: 'http://127.0.0.1:18000',
      BETTER_AUTH_URL: 'http://localhost:13000',
      BETTER_AUTH_JWKS_URL: 'http://127.0.0.1:13000/api/auth/jwks',
    });
    expect(config.listen.port).toBe(18080);
    expect(config.upstream.url).toBe('http://127.0.0.1:18000');
    expect(config.auth.issuers.map((i) => i.issuer)).toEqual(['http://localhost:13000', 'http://localhost:13000']);
  });

  it('gateway.yaml refuses to start without BETTER_AUTH_SECRET', () => {
    expect(() => loadConfig(join(CONFIG_DIR, 'gateway.yaml'), {})).toThrow(ConfigError);
    try {
      loadConfig(join(CONFIG_DIR, 'gateway.yaml'), {});
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([{ path: 'auth.issuers[1].secret', message: expect.stringMatching(/BETTER_AUTH_SECRET is not set/) }]);
    }
  });

  it('behind-load-balancer.yaml trusts only the private ranges, or TRUSTED_PROXIES', () => {
    const file = join(CONFIG_DIR, 'examples/behind-load-balancer.yaml');
    expect(loadConfig(file, ENV).config.trustProxy).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(loadConfig(file, { ...ENV, TRUSTED_PROXIES: '10.1.0.0/16' }).config.trustProxy).toEqual(['10.1.0.0/16']);
  });
});
