// Shared fixtures for the config tests: a minimal valid config as a plain object that each
// test changes, and helpers that run it through the real YAML parser and loader.
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/index.js';
import { parseConfig, type LoadedConfig } from '../../src/gateway-config.js';

/** 44 bytes, like `openssl rand -base64 32` prints. */
export const GOOD_SECRET = 'q3Vr0yZ9m1Xb8Tn4Lk2Jp6Hs5Gd7Fa0Qw1Er2Ty3Ui4=';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tree = Record<string, any>;

export function base(): Tree {
  return {
    upstream: { url: 'http://127.0.0.1:8000' },
    auth: {
      issuers: [
        {
          name: 'idp',
          jwks_url: 'https://idp.example.com/jwks',
          issuer: 'https://idp.example.com',
          audience: 'https://api.example.com',
          algorithms: ['EdDSA'],
        },
      ],
    },
    routes: [{ path: '/api/:user_id/tasks', methods: ['GET'], owner: 'user_id' }],
  };
}

export function yamlOf(tree: unknown): string {
  return stringify(tree);
}

export function load(tree: unknown, env: Record<string, string | undefined> = {}): LoadedConfig {
  return parseConfig(typeof tree === 'string' ? tree : yamlOf(tree), env);
}

/** The problems a config produces; fails the test if it loads. */
export function problemsOf(tree: unknown, env: Record<string, string | undefined> = {}): ConfigProblem[] {
  try {
    load(tree, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected the config to be refused, but it loaded');
}

/** Asserts exactly one problem at `path`, whose message matches `message`. */
export function expectProblem(tree: unknown, path: string, message: RegExp, env: Record<string, string | undefined> = {}): void {
  const problems = problemsOf(tree, env);
  const at = problems.filter((p) => p.path === path);
  expect(at, JSON.stringify(problems)).toHaveLength(1);
  expect(at[0]!.message).toMatch(message);
}

export function paths(problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => p.path);
}
