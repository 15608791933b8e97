import { describe, expect, it } from 'vitest';
import { GOOD_SECRET, base, expectProblem, load, paths, problemsOf, type Tree } from './helpers.js';

function secretIssuer(extra: Tree = {}): Tree {
  return { name: 'hs', secret: '${SECRET}', issuer: 'https://app.example.com', audience: 'https://api.example.com', algorithms: ['HS256'], ...extra };
}

function withIssuers(...issuers: Tree[]): Tree {
  const tree = base();
  tree.auth.issuers = issuers;
  return tree;
}

const env = { SECRET: GOOD_SECRET };

describe('auth.issuers', () => {
  it('normalizes a JWKS issuer and a secret issuer', () => {
    const tree = base();
    tree.auth.issuers.push(secretIssuer({ audience: ['a', 'b'] }));
    const { config, warnings } = load(tree, env);
    expect(config.auth.issuers).toEqual([
      {
        name: 'idp',
        keySource: { kind: 'jwks', jwksUrl: 'https://idp.example.com/jwks' },
        algorithms: ['EdDSA'],
        issuer: 'https://idp.example.com',
        audience: ['https://api.example.com'],
      },
      { name: 'hs', keySource: { kind: 'secret', secret: GOOD_SECRET }, algorithms: ['HS256'], issuer: 'https://app.example.com', audience: ['a', 'b'] },
    ]);
    expect(warnings).toEqual([]);
  });

  it('applies the documented auth defaults', () => {
    const { auth } = load(base()).config;
    expect(auth).toMatchObject({
      clockToleranceMs: 30_000,
      subjectClaim: 'sub',
      jwksCacheMs: 600_000,
      jwksCooldownMs: 5_000,
      jwksTimeoutMs: 5_000,
      jwksMaxStaleMs: 3_600_000,
      tokenCacheSize: 10_000,
      tokenCacheBytes: 16 * 1024 * 1024,
    });
  });

  it('reads every auth setting', () => {
    const tree = base();
    Object.assign(tree.auth, { clock_tolerance: '0s', subject_claim: 'uid', jwks_cache: '1h', jwks_cooldown: '250ms', jwks_timeout: '2s', jwks_max_stale: '1d', token_cache: 0, token_cache_bytes: '2mb' });
    expect(load(tree).config.auth).toMatchObject({
      clockToleranceMs: 0, subjectClaim: 'uid', jwksCacheMs: 3_600_000, jwksCooldownMs: 250, jwksTimeoutMs: 2000, jwksMaxStaleMs: 86_400_000, tokenCacheSize: 0, tokenCacheBytes: 2 * 1024 * 1024,
    });
  });

  it.each([
    ['jwks_cache', '500ms', /at least 1000 ms/],
    ['jwks_cooldown', '0s', /at least 100 ms/],
    ['jwks_timeout', '10ms', /at least 100 ms/],
    ['token_cache', -1, /integer from 0/],
    ['token_cache_bytes', '-1mb', /size/],
    ['token_cache_bytes', 'lots', /size/],
    ['clock_tolerance', 'soon', /must be a duration/],
    ['subject_claim', '', /must not be empty/],
  ])('refuses auth.%s = %j', (key, value, message) => {
    const tree = base();
    tree.auth[key] = value;
    expectProblem(tree, `auth.${key}`, message);
  });

  it('warns about a clock tolerance above 5 minutes', () => {
    const tree = base();
    tree.auth.clock_tolerance = '10m';
    expect(load(tree).warnings).toEqual([expect.stringMatching(/^auth\.clock_tolerance: is more than 5 minutes/)]);
  });

  it('accepts jwks_cache: 1d with nothing else set: jwks_max_stale counts from when the keys went stale', () => {
    const tree = base();
    tree.auth.jwks_cache = '1d';
    const { config, warnings } = load(tree);
    expect(config.auth).toMatchObject({ jwksCacheMs: 86_400_000, jwksMaxStaleMs: 3_600_000 });
    expect(warnings).toEqual([]);
    // Any max-stale goes with any cache period, shorter ones included.
    tree.auth.jwks_max_stale = '10m';
    expect(load(tree)).toMatchObject({ config: { auth: { jwksMaxStaleMs: 600_000 } }, warnings: [] });
  });

  it('warns when jwks_max_stale is set shorter than jwks_timeout, never about a default the user did not write', () => {
    const tree = base();
    tree.auth.jwks_max_stale = '2s';
    tree.auth.jwks_timeout = '5s';
    const { config, warnings } = load(tree);
    expect(config.auth.jwksMaxStaleMs).toBe(2_000);
    expect(warnings).toEqual([expect.stringMatching(/^auth\.jwks_max_stale: is shorter than jwks_timeout \(5000 ms\)/)]);
    tree.auth.jwks_max_stale = '5s';
    expect(load(tree).warnings).toEqual([]);
    // A long timeout next to the default max-stale (1h): the user never set max-stale, nothing to say.
    delete tree.auth.jwks_max_stale;
    tree.auth.jwks_timeout = '2h';
    expect(load(tree).warnings).toEqual([]);
  });

  it('requires auth and a non-empty issuer list', () => {
    const noAuth = base();
    delete noAuth.auth;
    expectProblem(noAuth, 'auth', /is required/);
    expectProblem(withIssuers(), 'auth.issuers', /must not be an empty list/);
    const missing = base();
    missing.auth = {};
    expectProblem(missing, 'auth.issuers', /is required/);
  });

  it('requires unique issuer names, and names fit for logs', () => {
    const problems = problemsOf(withIssuers(secretIssuer({ name: 'a' }), secretIssuer({ name: 'b c' }), secretIssuer({ name: 'a' })), env);
    expect(problems).toEqual([
      { path: 'auth.issuers[1].name', message: expect.stringMatching(/letters, digits/) },
      { path: 'auth.issuers[2].name', message: 'duplicate issuer name "a", also used by auth.issuers[0]' },
    ]);
  });

  it('requires exactly one of jwks_url and secret', () => {
    expectProblem(withIssuers({ name: 'x', algorithms: ['EdDSA'] }), 'auth.issuers[0]', /needs a key source/);
    expectProblem(withIssuers(secretIssuer({ jwks_url: 'https://idp/jwks' })), 'auth.issuers[0]', /both jwks_url and secret/, env);
  });

  describe('algorithms (key confusion guard)', () => {
    it('refuses HMAC algorithms on a JWKS issuer', () => {
      const tree = base();
      tree.auth.issuers[0].algorithms = ['EdDSA', 'HS256'];
      expectProblem(tree, 'auth.issuers[0].algorithms[1]', /HS256 is a shared-secret algorithm.*key confusion/);
    });

    it('refuses key-pair algorithms on a secret issuer', () => {
      expectProblem(withIssuers(secretIssuer({ algorithms: ['RS256'] })), 'auth.issuers[0].algorithms[0]', /RS256 needs a key pair/, env);
    });

    it.each(['none', 'None', 'NONE'])('refuses %j everywhere', (alg) => {
      expectProblem(withIssuers(secretIssuer({ algorithms: ['HS256', alg] })), 'auth.issuers[0].algorithms[1]', /"none" .* never accepted/, env);
      const tree = base();
      tree.auth.issuers[0].algorithms = [alg];
      expectProblem(tree, 'auth.issuers[0].algorithms[0]', /never accepted/);
    });

    it('refuses unknown algorithms, with a hint for a wrong case', () => {
      const tree = base();
      tree.auth.issuers[0].algorithms = ['eddsa', 'ES257'];
      const problems = problemsOf(tree);
      expect(problems[0]).toEqual({ path: 'auth.issuers[0].algorithms[0]', message: expect.stringMatching(/case-sensitive: did you mean EdDSA\?/) });
      expect(problems[1]).toEqual({ path: 'auth.issuers[0].algorithms[1]', message: expect.stringMatching(/^unknown algorithm "ES257"; allowed:/) });
    });

    it('accepts every known algorithm on the right kind of issuer', () => {
      const tree = base();
      tree.auth.issuers[0].algorithms = ['EdDSA', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
      tree.auth.issuers.push(secretIssuer({ secret: 'k'.repeat(64), algorithms: ['HS256', 'HS384', 'HS512'] }));
      expect(load(tree).config.auth.issuers.map((i) => i.algorithms.length)).toEqual([10, 3]);
    });

    it('refuses an empty, missing or duplicated algorithm list', () => {
      expectProblem(withIssuers(secretIssuer({ algorithms: [] })), 'auth.issuers[0].algorithms', /empty list; for example \[HS256\]/, env);
      const noAlgs = secretIssuer();
      delete noAlgs.algorithms;
      expectProblem(withIssuers(noAlgs), 'auth.issuers[0].algorithms', /is required/, env);
      expectProblem(withIssuers(secretIssuer({ algorithms: ['HS256', 'HS256'] })), 'auth.issuers[0].algorithms[1]', /listed twice/, env);
      expectProblem(withIssuers(secretIssuer({ algorithms: 'HS256' })), 'auth.issuers[0].algorithms', /must be a list/, env);
    });
  });

  describe('shared secrets', () => {
    it('needs at least 32 UTF-8 bytes, and says how to make one without echoing it', () => {
      const short = 'S3cr3t-that-is-31-bytes-long!!!';
      expect(Buffer.byteLength(short)).toBe(31);
      const problems = problemsOf(withIssuers(secretIssuer()), { SECRET: short });
      expect(problems).toEqual([{ path: 'auth.issuers[0].secret', message: expect.stringMatching(/31 bytes.*at least 32 bytes.*openssl rand -base64 32/) }]);
      expect(problems[0]!.message).not.toContain(short);
    });

    it('counts bytes, not characters: 16 two-byte characters are enough', () => {
      const utf8 = 'é'.repeat(16); // 16 characters, 32 bytes
      expect(load(withIssuers(secretIssuer()), { SECRET: utf8 }).config.auth.issuers[0]!.keySource).toEqual({ kind: 'secret', secret: utf8 });
      expectProblem(withIssuers(secretIssuer()), 'auth.issuers[0].secret', /too short: 30 bytes/, { SECRET: 'é'.repeat(15) });
    });

    it('warns below the longest listed hash size (RFC 7518 §3.2); the contract\'s hard floor is 32 bytes', () => {
      const short = load(withIssuers(secretIssuer({ algorithms: ['HS256', 'HS512'] })), { SECRET: 'k'.repeat(63) });
      expect(short.warnings.join('\n')).toMatch(/at least 64 bytes for HS512.*base64 64/);
      expect(load(withIssuers(secretIssuer({ algorithms: ['HS384'] })), { SECRET: 'k'.repeat(48) }).warnings.join('\n')).not.toMatch(/RFC 7518/);
      expectProblem(withIssuers(secretIssuer({ algorithms: ['HS512'] })), 'auth.issuers[0].secret', /at least 32 bytes/, { SECRET: 'k'.repeat(31) });
    });

    it('never echoes a secret that is not a string', () => {
      const problems = problemsOf(withIssuers(secretIssuer({ secret: 12345678901234567890123456789012 })));
      expect(problems).toEqual([{ path: 'auth.issuers[0].secret', message: expect.stringMatching(/must be a string/) }]);
      expect(problems[0]!.message).not.toMatch(/1234/);
    });

    it('warns when the secret is written in the file instead of ${VAR}', () => {
      const { warnings } = load(withIssuers(secretIssuer({ secret: GOOD_SECRET })));
      expect(warnings).toEqual([expect.stringMatching(/^auth\.issuers\[0\]\.secret: the secret is written in the config file/)]);
      expect(warnings[0]).not.toContain(GOOD_SECRET);
    });

    it('accepts a secret issuer without issuer/audience, with a warning', () => {
      const issuer = secretIssuer();
      delete issuer.issuer;
      delete issuer.audience;
      const { config, warnings } = load(withIssuers(issuer), env);
      expect(config.auth.issuers[0]).toEqual({ name: 'hs', keySource: { kind: 'secret', secret: GOOD_SECRET }, algorithms: ['HS256'] });
      expect(warnings).toEqual([expect.stringMatching(/^auth\.issuers\[0\]: shared-secret issuer without issuer and audience: anyone holding the secret can mint tokens/)]);
    });

    it('warns about a missing audience alone too', () => {
      const issuer = secretIssuer();
      delete issuer.audience;
      expect(load(withIssuers(issuer), env).warnings).toEqual([expect.stringMatching(/without audience/)]);
    });
  });

  describe('JWKS issuers', () => {
    it('warns when issuer or audience is not set', () => {
      const tree = base();
      delete tree.auth.issuers[0].issuer;
      delete tree.auth.issuers[0].audience;
      const { warnings } = load(tree);
      expect(warnings).toEqual([
        expect.stringMatching(/^auth\.issuers\[0\]: no issuer set/),
        expect.stringMatching(/^auth\.issuers\[0\]: no audience set/),
      ]);
    });

    it.each([
      ['not a url', /absolute http/],
      ['ftp://idp/jwks', /not ftp/],
      ['https://user:pw@idp/jwks', /user name or password/],
      ['https://idp/jwks#keys', /fragment/],
      ['', /must not be empty/],
    ])('refuses jwks_url %j', (url, message) => {
      const tree = base();
      tree.auth.issuers[0].jwks_url = url;
      expectProblem(tree, 'auth.issuers[0].jwks_url', message);
    });

    it('warns about plain http to another host, not to loopback', () => {
      const tree = base();
      tree.auth.issuers[0].jwks_url = 'http://idp.internal/jwks';
      expect(load(tree).warnings).toEqual([expect.stringMatching(/^auth\.issuers\[0\]\.jwks_url: keys fetched over plain http/)]);
      for (const local of ['http://127.0.0.1:3000/api/auth/jwks', 'http://localhost:3000/jwks', 'http://[::1]:3000/jwks']) {
        tree.auth.issuers[0].jwks_url = local;
        expect(load(tree).warnings).toEqual([]);
      }
    });

    it('keeps a query string on the key URL', () => {
      const tree = base();
      tree.auth.issuers[0].jwks_url = 'https://idp.example.com/keys?tenant=a';
      expect(load(tree).config.auth.issuers[0]!.keySource).toEqual({ kind: 'jwks', jwksUrl: 'https://idp.example.com/keys?tenant=a' });
    });
  });

  it('refuses a bad issuer or audience', () => {
    const tree = base();
    tree.auth.issuers[0].issuer = '';
    tree.auth.issuers[0].audience = [];
    expect(paths(problemsOf(tree))).toEqual(['auth.issuers[0].issuer', 'auth.issuers[0].audience']);
    tree.auth.issuers[0].issuer = 42;
    tree.auth.issuers[0].audience = ['ok', 7];
    expect(paths(problemsOf(tree))).toEqual(['auth.issuers[0].issuer', 'auth.issuers[0].audience[1]']);
  });
});
