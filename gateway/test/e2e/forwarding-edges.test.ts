// Forwarding corners found in review: media types fastify would refuse, identity headers when
// the config names none, the upstream timeout while queued for a connection, Location spellings.
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { useUpstream, withGateway } from '../support/suite.js';

const upstream = useUpstream();
const token = await hs256Token('alice', { email: 'alice@example.com' });

describe('bodies pass untouched whatever their Content-Type', () => {
  it('forwards media types that are not valid (fastify would answer 415/500) and PATCH with no body', async () => {
    await withGateway(hs256Config(upstream.url), async (gw) => {
      for (const contentType of ['json', 'garbage;;', ';;']) {
        const res = await request(`${gw.url}/api/alice/tasks`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: '{"title":"x"}' });
        expect(res.statusCode, contentType).toBe(200);
        await res.body.dump();
      }
      const patch = await request(`${gw.url}/api/alice/tasks/1/complete`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'nonsense', 'content-length': '0' } });
      expect(patch.statusCode).toBe(200);
      await patch.body.dump();
      expect(upstream.requests.map((r) => [r.headers['content-type'], r.body.toString()])).toEqual([
        ['json', '{"title":"x"}'],
        ['garbage;;', '{"title":"x"}'],
        [';;', '{"title":"x"}'],
        ['nonsense', ''],
      ]);
    });
  });
});

describe('identity headers', () => {
  it('strips a client\'s X-User-Id and X-User-Email even when the config sets no identity headers', async () => {
    await withGateway(hs256Config(upstream.url).replace(/identity_headers:\n(  .*\n)+/, 'identity_headers: {}\n'), async (gw) => {
      const res = await request(`${gw.url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}`, 'x-user-id': 'bob', 'X-User-Email': 'admin@corp.example' } });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      const seen = upstream.requests[0]!;
      expect(seen.headers['x-user-id']).toBeUndefined();
      expect(seen.headers['x-user-email']).toBeUndefined();
    });
  });
});

describe('upstream.timeout', () => {
  it('also bounds the time a request waits for a free upstream connection, and the queued request never reaches the upstream', async () => {
    // The one pooled connection is held by a response whose head has arrived (so its own timeout
    // no longer runs and nothing frees the connection early): the queued request can only time out.
    let release: () => void = () => {};
    const firstArrived = upstream.nextRequest();
    upstream.respondWith((_req, res) => new Promise<void>((resolve) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('start ');
      release = () => {
        res.end('late');
        resolve();
      };
    }));
    const yaml = hs256Config(upstream.url).replace('timeout: 2s', 'timeout: 300ms\n  connections: 1');
    // Another subject's request: alice's own second one would get 429 (her share of one connection is one).
    const bob = await hs256Token('bob');
    await withGateway(yaml, async (gw) => {
      const first = await request(`${gw.url}/api/alice/tasks`, { headers: { authorization: `Bearer ${token}` } });
      await firstArrived;
      expect(first.statusCode).toBe(200);
      const queued = await request(`${gw.url}/api/bob/tasks/2`, { headers: { authorization: `Bearer ${bob}` } });
      expect(queued.statusCode).toBe(504);
      expect(await queued.body.json()).toMatchObject({ error: 'gateway_timeout', reason: 'upstream_timeout' });
      release();
      expect(await first.body.text()).toBe('start late');
      expect(upstream.requests.map((r) => r.url)).toEqual(['/api/alice/tasks']);
    });
  });
});

describe('Location rewriting', () => {
  it('rewrites the upstream\'s origin written with its default port, so :80 never leaks', async () => {
    const { hostname, port } = new URL(upstream.url);
    upstream.respondWith((_req, res) => {
      res.writeHead(201, { location: `http://${hostname}:${port}/api/alice/tasks/9`, 'content-location': `//${hostname}:${port}/api/alice/tasks/9` });
      res.end();
    });
    await withGateway(hs256Config(upstream.url), async (gw) => {
      const res = await request(`${gw.url}/api/alice/tasks`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
      await res.body.dump();
      expect(res.headers['location']).toBe(`${gw.url}/api/alice/tasks/9`);
      expect(res.headers['content-location']).toBe(`${gw.url}/api/alice/tasks/9`);
    });
  });
});
