// docs/threats.md family 5 — path confusion, over raw sockets so every request target is sent byte for
// byte. The rule under test: the path that is authorized is exactly the path that is forwarded,
// and any spelling another server could read differently is refused before routing.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, type RawResponse } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const alice = await hs256Token('alice');

/** A request line with `target` verbatim and alice's token (unless `token` is null). */
function send(target: string, { method = 'GET', token }: { method?: string; token?: string | null } = {}): Promise<RawResponse> {
  const auth = token === null ? [] : [`Authorization: Bearer ${token ?? alice}`];
  return sendRaw(gateway.url, rawRequest([`${method} ${target} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, ...auth, 'Connection: close']));
}

function reasonOf(reply: RawResponse): string | undefined {
  try {
    return (JSON.parse(reply.body) as { reason?: string }).reason;
  } catch {
    return undefined; // Node's own parser answered (docs/contract.md allows a plain 400/431 there)
  }
}

async function expectAmbiguous(target: string): Promise<void> {
  const reply = await send(target);
  expect(reply.status, target).toBe(400);
  expect(reasonOf(reply), target).toBe('ambiguous_path');
  expect(upstream.requests, target).toHaveLength(0);
}

async function expectForwardedAsIs(target: string, method = 'GET'): Promise<void> {
  const reply = await send(target, { method });
  expect(reply.status, `${target}: ${reply.body}`).toBe(200);
  expect(upstream.requests).toHaveLength(1);
  expect(upstream.requests[0]!.url).toBe(target);
  expect(upstream.requests[0]!.method).toBe(method);
  expect(upstream.requests[0]!.headers['x-user-id']).toBe('alice');
  upstream.reset();
}

describe('dot segments, raw and percent-encoded → 400 ambiguous_path', () => {
  const targets = [
    '/api/alice/../bob/tasks',
    '/api/bob/../alice/tasks',
    '/api/alice/%2e%2e/bob/tasks',
    '/api/alice/%2E%2E/bob/tasks',
    '/api/alice/.%2e/bob/tasks',
    '/api/alice/%2e./bob/tasks',
    '/api/./alice/tasks',
    '/api/alice/%2e/tasks',
    '/api/alice/tasks/..',
    '/api/alice/tasks/.',
    '/api/alice/tasks/1/%2e%2e/2',
  ];
  for (const target of targets) it(target, () => expectAmbiguous(target));
});

describe('encoded separators and backslashes → 400 ambiguous_path', () => {
  const targets = [
    '/api/alice%2f..%2fbob/tasks',
    '/api/alice%2F..%2Fbob/tasks',
    '/api/alice/tasks%2f..%2f..%2fbob%2ftasks',
    '/api/alice%5c..%5cbob/tasks',
    '/api/alice%5C..%5Cbob/tasks',
    '/api/alice\\..\\bob/tasks',
    '/api\\alice\\tasks',
  ];
  for (const target of targets) it(target, () => expectAmbiguous(target));
});

describe('empty segments and ; parameters → 400 ambiguous_path', () => {
  const targets = ['//api/alice/tasks', '/api//alice/tasks', '/api/alice//tasks', '/api/alice/tasks//1', '/api/alice;/tasks', '/api/bob;alice/tasks', '/api/alice/tasks;jsessionid=1', '/api/alice/tasks/1;/complete'];
  for (const target of targets) it(target, () => expectAmbiguous(target));
});

describe('fragments and malformed or overlong percent-encoding → 400 ambiguous_path', () => {
  const targets = [
    '/api/alice/tasks#frag',
    '/api/bob/tasks#/../../alice/tasks',
    '/api/alice/tasks?x=1#frag',
    '/api/alice/tasks%',
    '/api/alice/tasks%2',
    '/api/%zzalice/tasks',
    '/api/alice%c0%ae%c0%ae/tasks',
    '/api/alice%ff/tasks',
    '/api/alice%00/tasks',
    '/api/alice%0d%0ax-user-id:%20bob/tasks',
    '/api/%ed%a0%80/tasks',
  ];
  for (const target of targets) it(target, () => expectAmbiguous(target));
});

describe('request targets that are not origin-form', () => {
  it('absolute-form naming another host → 400, nothing forwarded', async () => {
    await expectAmbiguous('http://evil/api/bob/tasks');
  });

  it('absolute-form naming the gateway itself → 400 (no second way to spell a path)', async () => {
    await expectAmbiguous(`http://${hostOf(gateway.url)}/api/alice/tasks`);
  });

  it('absolute-form https → 400', async () => {
    await expectAmbiguous('https://evil.example/api/alice/tasks');
  });

  it('authority-form on GET → 400', async () => {
    const reply = await send('evil.example:443');
    expect(reply.status).toBe(400);
    expect(upstream.requests).toHaveLength(0);
  });

  it('asterisk-form (OPTIONS *) → 400', async () => {
    const reply = await send('*', { method: 'OPTIONS' });
    expect(reply.status).toBe(400);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('raw bytes outside visible ASCII in the target', () => {
  for (const target of ['/api/alic\u00e9/tasks', '/api/alice/tasks?q=\u00e9', '/api/alice\u007f/tasks']) {
    it(JSON.stringify(target), async () => {
      const reply = await send(target);
      expect(reply.status).toBe(400);
      expect(upstream.requests).toHaveLength(0);
    });
  }
});

describe('very long paths', () => {
  it('a 3 KiB path → 400 ambiguous_path', async () => {
    await expectAmbiguous(`/api/alice/tasks/${'a'.repeat(3 * 1024)}`);
  });

  it('70 segments → 400', async () => {
    await expectAmbiguous(`/api/alice/tasks${'/x'.repeat(70)}`);
  });

  it('a 64 KiB target → refused by the HTTP parser (431/414/400), nothing forwarded', async () => {
    const reply = await send(`/api/alice/tasks/${'a'.repeat(64 * 1024)}`);
    expect([400, 414, 431]).toContain(reply.status);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the user id: exact, case-sensitive, decoded once', () => {
  for (const target of ['/api/Alice/tasks', '/api/ALICE/tasks', '/api/alicE/tasks', '/api/%41lice/tasks', '/api/alice%20/tasks', '/api/%EF%BD%81lice/tasks']) {
    it(`${target} with alice's token → 403 user_mismatch`, async () => {
      const reply = await send(target);
      expect(reply.status).toBe(403);
      expect(reasonOf(reply)).toBe('user_mismatch');
      expect(upstream.requests).toHaveLength(0);
    });
  }

  it('/api/%61lice/tasks is alice (decoded once) and forwarded with the same bytes', async () => {
    await expectForwardedAsIs('/api/%61lice/tasks');
  });

  it('/api/%62ob/tasks is bob → 403', async () => {
    const reply = await send('/api/%62ob/tasks');
    expect(reply.status).toBe(403);
    expect(upstream.requests).toHaveLength(0);
  });

  it('double encoding is decoded once only: /api/%2561lice/tasks is "%61lice", not alice → 403', async () => {
    const reply = await send('/api/%2561lice/tasks');
    expect(reply.status).toBe(403);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a trailing slash is another path → 404 no_route', async () => {
    const reply = await send('/api/alice/tasks/');
    expect(reply.status).toBe(404);
    expect(reasonOf(reply)).toBe('no_route');
    expect(upstream.requests).toHaveLength(0);
  });

  it('the literal segments are case-sensitive: /API/alice/tasks → 404', async () => {
    const reply = await send('/API/alice/tasks');
    expect(reply.status).toBe(404);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the user id in the query string is not the user id', () => {
  it('/api/alice/tasks?user_id=bob is forwarded with the query intact, as alice', async () => {
    await expectForwardedAsIs('/api/alice/tasks?user_id=bob');
  });

  it('/api/bob/tasks?user_id=alice → 403', async () => {
    const reply = await send('/api/bob/tasks?user_id=alice');
    expect(reply.status).toBe(403);
    expect(upstream.requests).toHaveLength(0);
  });

  it('odd queries are forwarded byte for byte, never normalised', async () => {
    for (const target of [
      '/api/alice/tasks?user_id=bob&user_id=alice',
      '/api/alice/tasks?next=/../bob/tasks',
      '/api/alice/tasks?a=%2e%2e%2F&b=%zz&c=a+b',
      "/api/alice/tasks?q='x'&r=[1]",
      '/api/alice/tasks?',
      '/api/alice/tasks/7?x=1',
    ]) {
      await expectForwardedAsIs(target);
    }
  });

  it('PATCH /complete with a query is forwarded with method, path and query unchanged', async () => {
    await expectForwardedAsIs('/api/alice/tasks/7/complete?x=1', 'PATCH');
  });
});

describe('the admin port and the public port never answer for each other', () => {
  for (const path of ['/metrics', '/healthz', '/readyz']) {
    it(`${path} on the public port → 404 no_route, nothing forwarded`, async () => {
      const reply = await send(path);
      expect(reply.status).toBe(404);
      expect(reasonOf(reply)).toBe('no_route');
      expect(upstream.requests).toHaveLength(0);
    });
  }

  it('a task path on the admin port is not proxied', async () => {
    const reply = await sendRaw(gateway.adminUrl, rawRequest(['GET /api/alice/tasks HTTP/1.1', `Host: ${hostOf(gateway.adminUrl)}`, `Authorization: Bearer ${alice}`, 'Connection: close']));
    expect(reply.status).toBe(404);
    expect(upstream.requests).toHaveLength(0);
  });

  it('the metrics never name a token, a subject or a raw path', async () => {
    await send('/api/alice/tasks?secret=1');
    await send('/api/bob/tasks');
    const metrics = await sendRaw(gateway.adminUrl, rawRequest(['GET /metrics HTTP/1.1', `Host: ${hostOf(gateway.adminUrl)}`, 'Connection: close']));
    expect(metrics.status).toBe(200);
    expect(metrics.body).not.toContain(alice.split('.')[2]!);
    expect(metrics.body).not.toContain('/api/bob/tasks');
    expect(metrics.body).not.toContain('secret=1');
    expect(metrics.body).toContain('/api/:user_id/tasks');
  });
});
