import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { loadConfig, parseConfig } from '../../src/gateway-config.js';
import { GOOD_SECRET, base, expectProblem, load, paths, problemsOf, yamlOf } from './helpers.js';

describe('parseConfig', () => {
  it('fills every default for a minimal config', () => {
    const { config, warnings } = load(base());
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      listen: { host: '0.0.0.0', port: 8080 },
      admin: { host: '127.0.0.1', port: 9090 },
      upstream: { url: 'http://127.0.0.1:8000', timeoutMs: 10_000, connections: 64 },
      auth: {
        issuers: [{
          name: 'idp',
          keySource: { kind: 'jwks', jwksUrl: 'https://idp.example.com/jwks' },
          algorithms: ['EdDSA'],
          issuer: 'https://idp.example.com',
          audience: ['https://api.example.com'],
        }],
        clockToleranceMs: 30_000,
        subjectClaim: 'sub',
        jwksCacheMs: 600_000,
        jwksCooldownMs: 5_000,
        jwksTimeoutMs: 5_000,
        jwksMaxStaleMs: 3_600_000,
        tokenCacheSize: 10_000,
        tokenCacheBytes: 16 * 1024 * 1024,
      },
      identityHeaders: [['x-user-id', 'sub'], ['x-user-email', 'email']],
      forwardAuthorization: true,
      cors: { origins: [], maxAgeSeconds: 600 },
      routes: [{ path: '/api/:user_id/tasks', methods: ['GET'], owner: 'user_id', public: false }],
      routeTable: expect.objectContaining({ routes: [expect.objectContaining({ template: '/api/:user_id/tasks', owner: 'user_id' })] }),
      limits: { bodyBytes: 1_048_576, headerTimeoutMs: 10_000, requestTimeoutMs: 30_000, responseIdleTimeoutMs: 30_000, bodyIdleTimeoutMs: 10_000, concurrentPerSubject: 16 },
      trustProxy: false,
      realm: 'gateway',
      workers: 1,
      logLevel: 'info',
      revocation: { retentionMs: 7 * 24 * 3600_000 },
      store: {},
      shutdown: { idleGraceMs: 1_000 },
    });
  });

  it('returns a deeply frozen config', () => {
    const tree = base();
    tree.trust_proxy = ['10.0.0.0/8'];
    const { config } = load(tree);
    const frozen = [config, config.listen, config.auth, config.auth.issuers, config.auth.issuers[0], config.auth.issuers[0]!.keySource,
      config.auth.issuers[0]!.audience, config.routes, config.routes[0], config.routes[0]!.methods, config.identityHeaders,
      config.identityHeaders[0], config.cors.origins, config.trustProxy, config.limits, config.upstream];
    for (const part of frozen) expect(Object.isFrozen(part)).toBe(true);
    expect(() => {
      (config.routes[0]!.methods as string[]).push('DELETE');
    }).toThrow(TypeError);
    expect(() => {
      (config.listen as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reports an unknown key at any depth with its path and a hint', () => {
    const tree = base();
    tree.auth.issuers[0].jwks_uri = tree.auth.issuers[0].jwks_url;
    delete tree.auth.issuers[0].jwks_url;
    tree.limits = { bodySize: '1mb' };
    tree.upstrem = {};
    const problems = problemsOf(tree);
    expect(problems).toContainEqual({ path: 'auth.issuers[0].jwks_uri', message: expect.stringMatching(/^unknown key \(did you mean "jwks_url"\?\); allowed here: name, jwks_url/) });
    expect(problems).toContainEqual({ path: 'limits.bodySize', message: expect.stringMatching(/^unknown key; allowed here: body, header_timeout, request_timeout, response_idle_timeout, body_idle_timeout, concurrent_per_subject$/) });
    expect(problems).toContainEqual({ path: 'upstrem', message: expect.stringMatching(/did you mean "upstream"/) });
  });

  it('quotes odd keys in paths so they stay unambiguous', () => {
    const tree = base();
    tree['a.b'] = 1;
    expect(paths(problemsOf(tree))).toEqual(['["a.b"]']);
  });

  it('reports many problems at once, across sections', () => {
    const tree = base();
    tree.listen = { port: 'http' };
    tree.upstream.url = 'http://x/path';
    tree.auth.issuers.push({ name: 'hs', secret: 'short', algorithms: ['RS256'] });
    tree.routes.push({ path: '/a/../b', methods: ['TRACE'] });
    tree.cors = { origins: ['*'] };
    tree.log_level = 'loud';
    const problems = problemsOf(tree);
    // In the order the keys appear in the file (base() keys first, then the ones added here).
    expect(paths(problems)).toEqual([
      'upstream.url',
      'auth.issuers[1].secret',
      'auth.issuers[1].algorithms[0]',
      'routes[1].path',
      'routes[1].methods[0]',
      'listen.port',
      'cors.origins[0]',
      'log_level',
    ]);
  });

  it('lists problems top to bottom as in the file, substitution problems included; missing keys at their parent', () => {
    const text = [
      'listen: { port: "${PORT}" }',
      'routes:',
      '  - { path: /a, methods: [TRACE] }',
      '  - { methods: [GET] }',
      'auth:',
      '  issuers:',
      '    - { name: hs, secret: "${SECRET}", algorithms: [HS256] }',
      'unknown_key: 1',
      '',
    ].join('\n');
    expect(paths(problemsOf(text))).toEqual([
      'listen.port',
      'routes[0].methods[0]',
      'routes[1].path',
      'auth.issuers[0].secret',
      'unknown_key',
      'upstream',
    ]);
  });

  it('ConfigError.message lists every problem, one "<path>: <message>" per line', () => {
    const tree = base();
    tree.listen = { port: 70000 };
    tree.workers = 0;
    try {
      load(tree);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.message.split('\n')).toEqual(e.problems.map((p) => `${p.path}: ${p.message}`));
      expect(e.problems).toHaveLength(2);
      expect(Object.isFrozen(e.problems)).toBe(true);
    }
  });

  it('treats a key with no value as a problem, not as the default', () => {
    expectProblem(`${yamlOf(base())}\nlimits:\n  body:\n`, 'limits.body', /has no value/);
  });

  describe('root and YAML', () => {
    it.each(['', '# only a comment\n', '---\n'])('refuses an empty document %j', (text) => {
      expect(problemsOf(text)).toEqual([{ path: '(root)', message: expect.stringMatching(/config is empty/) }]);
    });

    it('refuses a document that is not a mapping', () => {
      expectProblem('- a\n- b\n', '(root)', /must be a mapping/);
      expectProblem('just text\n', '(root)', /must be a mapping/);
    });

    it('reports a YAML syntax error with line and column, without echoing the line', () => {
      const text = `${yamlOf(base())}auth2: { secret: ${GOOD_SECRET}: oops\n`;
      const problems = problemsOf(text);
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) {
        expect(p.path).toBe('(yaml)');
        expect(p.message).toMatch(/^line \d+, column \d+: /);
        expect(p.message).not.toContain(GOOD_SECRET);
      }
    });

    it('refuses duplicate keys instead of letting the last one win', () => {
      const text = 'upstream: { url: "http://a:1" }\nupstream: { url: "http://b:2" }\n';
      expect(problemsOf(text)).toEqual([{ path: '(yaml)', message: expect.stringMatching(/^line 2, column 1: Map keys must be unique/) }]);
    });

    it('refuses several documents in one file', () => {
      expect(problemsOf(`${yamlOf(base())}---\n${yamlOf(base())}`)).toEqual([{ path: '(yaml)', message: expect.stringMatching(/several YAML documents/) }]);
    });

    it('refuses an alias bomb', () => {
      const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 8; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
      expect(problemsOf(`${lines.join('\n')}\n`)).toEqual([{ path: '(yaml)', message: expect.stringMatching(/resource exhaustion/) }]);
    });

    it('refuses custom tags', () => {
      expectProblem('a: !!js/function x\n', '(yaml)', /line 1, column 4: Unresolved tag/);
    });

    it('does not apply YAML 1.1 conversions: yes stays a string, 010 a decimal', () => {
      const tree = base();
      tree.forward_authorization = 'PLACEHOLDER';
      expectProblem(yamlOf(tree).replace("'PLACEHOLDER'", 'yes').replace('PLACEHOLDER', 'yes'), 'forward_authorization', /true or false, got the string "yes"/);
    });

    it('does not let a __proto__ key reach the config', () => {
      const text = `${yamlOf(base())}__proto__: { polluted: true }\n`;
      expect(paths(problemsOf(text))).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('limits', () => {
    it('reads sizes and durations', () => {
      const tree = base();
      tree.limits = { body: '64kb', header_timeout: '5s', request_timeout: '1m' };
      expect(load(tree).config.limits).toEqual({
        bodyBytes: 65_536, headerTimeoutMs: 5000, requestTimeoutMs: 60_000, responseIdleTimeoutMs: 30_000, bodyIdleTimeoutMs: 10_000, concurrentPerSubject: 16,
      });
    });

    it('refuses zero and a header timeout longer than the request timeout', () => {
      const tree = base();
      tree.limits = { body: 0 };
      expectProblem(tree, 'limits.body', /at least 1 byte, got 0/);
      tree.limits = { header_timeout: '1m', request_timeout: '30s' };
      expectProblem(tree, 'limits.header_timeout', /not be longer than limits\.request_timeout/);
      tree.limits = { request_timeout: '0s' };
      expectProblem(tree, 'limits.request_timeout', /at least 1 ms/);
    });
  });

  describe('realm, workers, log_level, forward_authorization', () => {
    it('reads them', () => {
      const tree = base();
      Object.assign(tree, { realm: 'tasks api', workers: 4, log_level: 'debug', forward_authorization: false });
      const { config } = load(tree);
      expect([config.realm, config.workers, config.logLevel, config.forwardAuthorization]).toEqual(['tasks api', 4, 'debug', false]);
    });

    it('workers: auto is one per CPU', () => {
      const tree = base();
      tree.workers = 'auto';
      expect(load(tree).config.workers).toBe(availableParallelism());
      tree.workers = '${WORKERS:-auto}';
      expect(load(tree).config.workers).toBe(availableParallelism());
      expect(load(tree, { WORKERS: '3' }).config.workers).toBe(3);
    });

    it.each([
      ['realm', 'a"b', /without " or \\/],
      ['realm', 'a\\b', /without " or \\/],
      ['realm', 'é', /printable ASCII/],
      ['realm', '', /must not be empty/],
      ['workers', 0, /from 1 to 1024/],
      ['workers', 'many', /or auto/],
      ['workers', 2.5, /from 1 to 1024/],
      ['log_level', 'INFO', /one of fatal, error, warn, info, debug, trace, silent/],
      ['forward_authorization', 'no', /true or false/],
    ])('refuses %s = %j', (key, value, message) => {
      const tree = base();
      tree[key] = value;
      expectProblem(tree, key, message);
    });
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));

  it('reads a file, substituting from the given environment', () => {
    const file = join(dir, 'ok.yaml');
    const tree = base();
    tree.upstream.url = '${UP}';
    writeFileSync(file, yamlOf(tree));
    expect(loadConfig(file, { UP: 'http://from-env:1' }).config.upstream.url).toBe('http://from-env:1');
  });

  it('uses process.env when no environment is given', () => {
    const file = join(dir, 'process-env.yaml');
    const tree = base();
    tree.realm = '${GATEWAY_CONFIG_TEST_REALM}';
    writeFileSync(file, yamlOf(tree));
    process.env.GATEWAY_CONFIG_TEST_REALM = 'from-process';
    try {
      expect(loadConfig(file).config.realm).toBe('from-process');
    } finally {
      delete process.env.GATEWAY_CONFIG_TEST_REALM;
    }
  });

  it('turns an unreadable file into a ConfigError at "(file)"', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => loadConfig(missing, {})).toThrow(ConfigError);
    try {
      loadConfig(missing, {});
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([{ path: '(file)', message: `cannot read ${missing}: no such file` }]);
    }
    try {
      loadConfig(dir, {});
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([{ path: '(file)', message: `cannot read ${dir}: is a directory` }]);
    }
  });

  it('parseConfig and loadConfig agree', () => {
    const file = join(dir, 'same.yaml');
    writeFileSync(file, yamlOf(base()));
    // The compiled route table holds closures; compare what it was compiled from.
    const plain = ({ config, warnings }: ReturnType<typeof parseConfig>) => ({ warnings, config: { ...config, routeTable: config.routeTable.routes } });
    expect(plain(loadConfig(file, {}))).toEqual(plain(parseConfig(yamlOf(base()), {})));
  });
});
