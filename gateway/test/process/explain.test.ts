// `gateway explain` with real configs and really signed tokens: every outcome, exit codes, no
// token in the output, no upstream contacted, and its verdicts equal to a live gateway's answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExplain } from '../../src/process/explain/index.js';
import { startTestGateway, testEnv, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { spawnGateway, writeTempConfig } from '../support/spawn-gateway.js';
import { call, jwksAndSecretConfig, keyPairToken } from '../support/threat-kit.js';
import { epochSeconds, generateTestKeyPair, startJwksServer, type JwksServer, type TestKeyPair } from '../support/tokens.js';

let upstream: RecordingUpstream;
let jwks: JwksServer;
let pair: TestKeyPair;
let yaml: string;
let file: string;
let gateway: TestGateway;
const ORIGIN = 'http://localhost:3000';

beforeAll(async () => {
  pair = await generateTestKeyPair('EdDSA');
  [upstream, jwks] = await Promise.all([startRecordingUpstream(), startJwksServer([pair])]);
  yaml = jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: jwks.url });
  file = writeTempConfig(yaml);
  gateway = await startTestGateway(yaml, testEnv);
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all([upstream?.close(), jwks?.close()]);
});

interface Explained {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function explain(argv: string[], stdin = ''): Promise<Explained> {
  let out = '';
  let err = '';
  const code = await runExplain(['--config', file, ...argv], { out: (t) => (out += t), err: (t) => (err += t), stdin: async () => stdin }, { ...process.env, ...testEnv });
  return { code, out, err };
}

/** The verdict line's status: the refusal's, 204 for a preflight, 200 (the test upstream's answer) for a forward. */
function statusOf(out: string): number {
  const refused = /^verdict: REFUSED (\d{3}) /m.exec(out);
  if (refused) return Number(refused[1]);
  if (/^verdict: PREFLIGHT/m.test(out)) return 204;
  if (/^verdict: FORWARD/m.test(out)) return 200;
  throw new Error(`no verdict in:\n${out}`);
}

const expired = () => hs256Token('alice', { iat: epochSeconds() - 3600, exp: epochSeconds() - 600 });
const wrongSecret = () => hs256Token('alice', {}, new TextEncoder().encode('another-secret-that-is-long-enough-for-hs256!'));

describe('gateway explain: each outcome', () => {
  it('forwards a good token to its owner\'s path and shows the upstream\'s headers, never the token', async () => {
    const token = await hs256Token('alice', { email: 'alice@example.test' });
    const seen = upstream.requests.length;
    const { code, out } = await explain(['GET', '/api/alice/tasks?done=1', '--token', token]);
    expect(code).toBe(0);
    expect(out).toMatch(/^verdict: FORWARD/m);
    expect(out).toContain('  GET /api/alice/tasks?done=1');
    expect(out).toContain('x-user-id: alice');
    expect(out).toContain('x-user-email: alice@example.test');
    expect(out).toMatch(new RegExp(`Authorization: Bearer <redacted, ${token.length} bytes>`));
    expect(out).toMatch(/token\.check\s+ok/);
    expect(out).toContain('path user_id = "alice", token subject = "alice"');
    // The limits stage reports the key and the limits, and says it counts nothing.
    expect(out).toMatch(/limits\s+ok\s+subject alice: at most 16 in flight; no rate limit on this route \(not counted: explain does not see the live counts\)/);
    expect(out).not.toContain(token);
    expect(out).not.toContain(token.split('.')[2]!);
    expect(upstream.requests).toHaveLength(seen);
  });

  it.each([
    ['an ambiguous path', ['GET', '/api/alice/../bob/tasks'], 400, 'ambiguous_path', /target\s+NO/],
    ['an encoded slash', ['GET', '/api/alice%2Fbob/tasks'], 400, 'ambiguous_path', /target\s+NO/],
    ['no route', ['GET', '/admin'], 404, 'no_route', /route\s+NO/],
    ['a method the route lacks', ['PATCH', '/api/alice/tasks'], 405, 'method_not_allowed', /allow: GET, HEAD, POST/],
    ['no token', ['GET', '/api/alice/tasks'], 401, 'missing_token', /credentials\s+NO/],
    ['two credentials', ['GET', '/api/alice/tasks?access_token=x', '--sub', 'alice'], 400, 'multiple_credentials', /credentials\s+NO/],
  ])('refuses %s', async (_name, argv, status, reason, detail) => {
    const { code, out } = await explain(argv);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^verdict: REFUSED ${status} \\S+ / ${reason}`, 'm'));
    expect(out).toMatch(detail);
  });

  it('refuses an invalid signature, an expired token and another user\'s path, and says why', async () => {
    const bad = await wrongSecret();
    const invalid = await explain(['GET', '/api/alice/tasks', '--token', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/^verdict: REFUSED 401 unauthorized \/ invalid_token/m);
    expect(invalid.out).toMatch(/token\.check\s+NO\s+issuer shared-secret: invalid_token/);
    expect(invalid.out).toContain('claims (NOT verified');
    expect(invalid.out).not.toContain(bad);

    const old = await expired();
    const late = await explain(['GET', '/api/alice/tasks', '--token', old]);
    expect(late.out).toMatch(/^verdict: REFUSED 401 unauthorized \/ token_expired/m);
    expect(late.out).toMatch(/exp: \d+ \(10m \d+s ago\)/);
    expect(late.out).toContain('www-authenticate: Bearer realm="gateway", error="invalid_token"');

    const mismatch = await explain(['GET', '/api/bob/tasks', '--token', await hs256Token('alice')]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.out).toMatch(/^verdict: REFUSED 403 forbidden \/ user_mismatch/m);
    expect(mismatch.out).toContain('path user_id = "bob", token subject = "alice"');
  });

  it('answers a preflight itself (exit 0) and forwards a public route without identity headers', async () => {
    const preflight = await explain(['OPTIONS', '/api/alice/tasks', '--origin', ORIGIN, '--header', 'Access-Control-Request-Method: DELETE']);
    expect(preflight.code).toBe(0);
    expect(preflight.out).toMatch(/^verdict: PREFLIGHT/m);
    expect(preflight.out).toContain(`access-control-allow-origin: ${ORIGIN}`);

    const token = await hs256Token('alice');
    const open = await explain(['GET', '/health', '--token', token]);
    expect(open.code).toBe(0);
    expect(open.out).toMatch(/public\s+ok\s+a public route/);
    expect(open.out).not.toContain('x-user-id');
    expect(open.out).not.toContain(token);
  });

  it('with --sub explains route and owner without verifying, and says so', async () => {
    const own = await explain(['GET', '/api/alice/tasks', '--sub', 'alice']);
    expect(own.code).toBe(0);
    expect(own.out).toContain('signature, iss, aud and exp are NOT checked');
    expect(own.out).toContain('x-user-id: alice');
    expect(own.out).toContain("Authorization: Bearer <the caller's token>");
    const other = await explain(['DELETE', '/api/bob/tasks/7', '--sub', 'alice']);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/REFUSED 403 forbidden \/ user_mismatch/);
    // The real subject rule still applies: no token could carry this subject.
    const odd = await explain(['GET', '/api/alice/tasks', '--sub', 'a%2Fb']);
    expect(odd.out).toMatch(/REFUSED 401 unauthorized \/ invalid_token/);
  });

  it('reads --token - from stdin', async () => {
    const token = await hs256Token('alice');
    const { code, out } = await explain(['GET', '/api/alice/tasks', '--token', '-'], `${token}\n`);
    expect(code).toBe(0);
    expect(out).not.toContain(token);
  });

  it('fetches a JWKS only for a token whose candidate issuer needs one', async () => {
    const before = jwks.requests;
    await explain(['GET', '/api/alice/tasks']);
    await explain(['GET', '/api/alice/tasks', '--sub', 'alice']);
    await explain(['GET', '/api/alice/tasks', '--token', await hs256Token('alice')]);
    expect(jwks.requests).toBe(before);
    const { code, out } = await explain(['GET', '/api/alice/tasks', '--token', await keyPairToken(pair, 'alice')]);
    expect(code).toBe(0);
    expect(out).toMatch(/token\.fetch\s+ok\s+issuer key-pairs: JWKS fetch success/);
    expect(jwks.requests).toBe(before + 1);
  });
});

describe('gateway explain: bad arguments exit 2', () => {
  it.each([
    [['GET']],
    [['FETCH', '/api/alice/tasks']],
    [['GET', '/api/alice tasks']],
    [['GET', '/api/alice/tasks', '--token', 'x', '--sub', 'alice']],
    [['GET', '/api/alice/tasks', '--header', 'no colon']],
    [['GET', '/api/alice/tasks', '--header', 'Bad Name: x']],
    [['GET', '/api/alice/tasks', '--surprise']],
  ])('%j', async (argv) => {
    const { code, out, err } = await explain(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('gateway explain:');
  });

  it('through the real bin: exit codes 0, 1 and 2, and a config that does not load is 2', async () => {
    const run = (args: string[]) => spawnGateway(['explain', '--config', file, ...args], testEnv);
    const token = await hs256Token('alice');
    const [ok, refused, bad] = [run(['GET', '/api/alice/tasks', '--token', token]), run(['GET', '/api/bob/tasks', '--token', token]), run(['GET'])];
    expect(await Promise.all([ok.exited, refused.exited, bad.exited])).toEqual([0, 1, 2]);
    const broken = spawnGateway(['explain', '--config', writeTempConfig('routes: nope\n'), 'GET', '/'], testEnv);
    expect(await broken.exited).toBe(2);
    expect(broken.stderr()).toContain('invalid config');
    const help = spawnGateway(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.lines.map((l) => l['text']).join('\n')).toMatch(/gateway explain \[--config FILE\] METHOD PATH[\s\S]*--watch|--watch[\s\S]*gateway explain/);
  });
});

describe('gateway explain runs the live pipeline', () => {
  // The same config behind a real gateway on a real socket: explain's verdict must be the answer.
  const table: Array<{ name: string; method: string; path: string; token?: () => Promise<string>; headers?: Record<string, string> }> = [
    { name: 'forward', method: 'GET', path: '/api/alice/tasks', token: () => hs256Token('alice') },
    { name: 'forward, key pair', method: 'PUT', path: '/api/alice/tasks/1', token: () => keyPairToken(pair, 'alice') },
    { name: 'public', method: 'GET', path: '/health' },
    { name: 'ambiguous', method: 'GET', path: '/api/alice/./tasks', token: () => hs256Token('alice') },
    { name: 'trailing slash', method: 'GET', path: '/api/alice/tasks/', token: () => hs256Token('alice') },
    { name: 'no route', method: 'GET', path: '/api/alice', token: () => hs256Token('alice') },
    { name: 'method', method: 'DELETE', path: '/api/alice/tasks', token: () => hs256Token('alice') },
    { name: 'HEAD where GET is', method: 'HEAD', path: '/api/alice/tasks', token: () => hs256Token('alice') },
    { name: 'preflight', method: 'OPTIONS', path: '/api/alice/tasks', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } },
    { name: 'missing', method: 'GET', path: '/api/alice/tasks' },
    { name: 'invalid', method: 'GET', path: '/api/alice/tasks', token: wrongSecret },
    { name: 'expired', method: 'GET', path: '/api/alice/tasks', token: expired },
    { name: 'wrong audience', method: 'GET', path: '/api/alice/tasks', token: () => hs256Token('alice', { aud: 'https://elsewhere.test' }) },
    { name: 'mismatch', method: 'GET', path: '/api/bob/tasks', token: () => hs256Token('alice') },
    { name: 'case matters', method: 'GET', path: '/api/Alice/tasks', token: () => hs256Token('alice') },
    { name: 'query credential', method: 'GET', path: '/api/alice/tasks?access_token=abc', token: () => hs256Token('alice') },
  ];

  it('gives the live gateway\'s status for every request of the table', async () => {
    const mismatches: string[] = [];
    for (const row of table) {
      const token = row.token ? await row.token() : undefined;
      const headers: Record<string, string> = { ...row.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
      const live = await call(gateway.url, { method: row.method, path: row.path, headers });
      const argv = [row.method, row.path, ...(token ? ['--token', token] : []), ...Object.entries(row.headers ?? {}).flatMap(([n, v]) => ['--header', `${n}: ${v}`])];
      const explained = await explain(argv);
      const expectedCode = live.status >= 400 ? 1 : 0;
      if (statusOf(explained.out) !== live.status || explained.code !== expectedCode) mismatches.push(`${row.name}: live ${live.status}, explain ${statusOf(explained.out)} (exit ${explained.code})`);
    }
    expect(mismatches).toEqual([]);
  });
});
