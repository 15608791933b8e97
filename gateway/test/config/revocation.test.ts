import { describe, expect, it } from 'vitest';
import { base, expectProblem, load, problemsOf } from './helpers.js';

const TOKEN = 'adm1n-t0ken-0123456789-abcdefghijklmnop';

describe('admin.token', () => {
  it('is absent by default: the admin API for revocations is off', () => {
    expect(load(base()).config.adminToken).toBeUndefined();
  });

  it('is read from ${VAR} without a warning, and kept out of config.admin', () => {
    const tree = base();
    tree.admin = { host: '127.0.0.1', port: 9090, token: '${GATEWAY_ADMIN_TOKEN}' };
    const { config, warnings } = load(tree, { GATEWAY_ADMIN_TOKEN: TOKEN });
    expect(config.adminToken).toBe(TOKEN);
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(warnings).toEqual([]);
  });

  it('an empty token (${VAR:-}) means off, like no token', () => {
    const tree = base();
    tree.admin = { token: '${GATEWAY_ADMIN_TOKEN:-}' };
    expect(load(tree).config.adminToken).toBeUndefined();
  });

  it('warns when the token is written in the file', () => {
    const tree = base();
    tree.admin = { token: TOKEN };
    const { warnings } = load(tree);
    expect(warnings).toEqual([expect.stringMatching(/^admin\.token: the admin token is written in the config file itself/)]);
    expect(warnings.join('\n')).not.toContain(TOKEN);
  });

  it.each([
    ['short-token', /too short: 11 bytes.*at least 32/],
    [`${'x'.repeat(31)} y`, /visible ASCII/],
    [12345, /must be a string/],
    [null, /must be a string/],
  ])('refuses %j without echoing it', (token, message) => {
    const tree = base();
    tree.admin = { token };
    expectProblem(tree, 'admin.token', message);
    if (typeof token === 'string') expect(JSON.stringify(problemsOf(tree))).not.toContain(token);
  });

  it('reports an unset variable once, at its key', () => {
    const tree = base();
    tree.admin = { token: '${GATEWAY_ADMIN_TOKEN}' };
    expectProblem(tree, 'admin.token', /GATEWAY_ADMIN_TOKEN is not set/);
  });

  it('still refuses unknown admin keys', () => {
    const tree = base();
    tree.admin = { tokn: TOKEN };
    expectProblem(tree, 'admin.tokn', /did you mean "token"/);
  });
});

describe('revocation.retention', () => {
  it('defaults to 7 days', () => {
    expect(load(base()).config.revocation).toEqual({ retentionMs: 7 * 24 * 3600_000 });
  });

  it('reads a duration, and warns below 15 minutes', () => {
    const tree = base();
    tree.revocation = { retention: '1d' };
    expect(load(tree).config.revocation.retentionMs).toBe(24 * 3600_000);
    tree.revocation = { retention: '5m' };
    const loaded = load(tree);
    expect(loaded.config.revocation.retentionMs).toBe(300_000);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^revocation\.retention: is shorter than 15m/)]);
  });

  it.each([
    [{ retention: '500ms' }, 'revocation.retention', /at least 1000 ms/],
    [{ retention: 'forever' }, 'revocation.retention', /./],
    [{ retentoin: '1d' }, 'revocation.retentoin', /did you mean "retention"/],
  ])('refuses %j', (revocation, path, message) => {
    const tree = base();
    tree.revocation = revocation;
    expectProblem(tree, path, message);
  });
});

describe('store.redis_url', () => {
  it('is optional: no store means memory', () => {
    expect(load(base()).config.store).toEqual({});
  });

  it('takes redis:// and rediss:// URLs, from ${VAR} too; empty (${VAR:-}) means no store', () => {
    const tree = base();
    tree.store = { redis_url: '${REDIS_URL}' };
    expect(load(tree, { REDIS_URL: 'redis://127.0.0.1:6379' }).config.store).toEqual({ redisUrl: 'redis://127.0.0.1:6379' });
    expect(load(tree, { REDIS_URL: 'rediss://:pw@redis.internal:6380/2' }).config.store.redisUrl).toBe('rediss://:pw@redis.internal:6380/2');
    tree.store = { redis_url: '${REDIS_URL:-}' };
    expect(load(tree).config.store).toEqual({});
  });

  it('warns about a password in the file and about plain redis:// to another host, never echoing the URL', () => {
    const tree = base();
    tree.store = { redis_url: 'redis://:hunter2-secret@redis.internal:6379' };
    const { warnings } = load(tree);
    expect(warnings).toEqual([
      expect.stringMatching(/^store\.redis_url: the Redis password is written in the config file/),
      expect.stringMatching(/^store\.redis_url: plain redis:\/\/ to another host/),
    ]);
    expect(warnings.join('\n')).not.toContain('hunter2');
  });

  it.each([
    ['http://127.0.0.1:6379', /redis:\/\/ or rediss:\/\//],
    ['not a url', /must be a redis:\/\/host:port/],
    ['redis://127.0.0.1:6379/db', /database number 0-15/],
    ['redis://127.0.0.1:6379/16', /database number 0-15/],
    ['redis://127.0.0.1:6379?family=6', /query string/],
    ['redis://127.0.0.1:6379#x', /fragment/],
  ])('refuses %s', (url, message) => {
    const tree = base();
    tree.store = { redis_url: url };
    expectProblem(tree, 'store.redis_url', message);
  });

  it('refuses unknown store keys', () => {
    const tree = base();
    tree.store = { url: 'redis://127.0.0.1' };
    expectProblem(tree, 'store.url', /unknown key/);
  });
});
