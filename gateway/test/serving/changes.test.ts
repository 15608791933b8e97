// serving/changes.ts: which top-level keys a reload sees changed, and which of them it refuses.
import { describe, expect, it } from 'vitest';
import { parseConfig, type GatewayConfig } from '../../src/gateway-config.js';
import { changedKeys, restartProblems } from '../../src/serving/changes.js';
import { testEnv } from '../support/gateway.js';
import { jwksAndSecretConfig } from '../support/threat-kit.js';

const base = jwksAndSecretConfig({ upstreamUrl: 'http://127.0.0.1:1', jwksUrl: 'http://127.0.0.1:2/jwks' });
const TOKEN_A = 'a'.repeat(32);
const TOKEN_B = 'b'.repeat(32);
const configOf = (text: string): GatewayConfig => parseConfig(text, { ...testEnv, TOKEN_A, TOKEN_B }).config;
const withAdmin = (token: string) => base.replace('admin: { host: 127.0.0.1, port: 0 }', `admin: { host: 127.0.0.1, port: 0, token: "\${${token}}" }`);

describe('a reload', () => {
  it('sees nothing changed in the same file', () => {
    expect(changedKeys(configOf(base), configOf(base))).toEqual([]);
  });

  it('applies a route change', () => {
    const next = base.replace('methods: [GET, POST]', 'methods: [GET]');
    expect(next).not.toBe(base);
    const changed = changedKeys(configOf(base), configOf(next));
    expect(changed).toEqual(['routes']);
    expect(restartProblems(changed)).toEqual([]);
  });

  it('refuses a new admin token as a change to admin (the token is never shown)', () => {
    const changed = changedKeys(configOf(withAdmin('TOKEN_A')), configOf(withAdmin('TOKEN_B')));
    expect(changed).toEqual(['admin']);
    const problems = restartProblems(changed);
    expect(problems.map((p) => p.path)).toEqual(['admin']);
    expect(JSON.stringify(problems)).not.toContain(TOKEN_A);
    expect(JSON.stringify(problems)).not.toContain(TOKEN_B);
  });

  it('refuses a change to the revocation retention and to the store', () => {
    const changed = changedKeys(configOf(base), configOf(`${base}\nrevocation: { retention: 1d }\nstore: { redis_url: "redis://127.0.0.1:6390" }\n`));
    expect(changed).toEqual(expect.arrayContaining(['revocation', 'store']));
    expect(restartProblems(changed).map((p) => p.path).sort()).toEqual(['revocation', 'store']);
  });
});
