// The Node floor as the bench runs it: its own process (dist/node-floor.js), keys fetched from a
// real JWKS server, in front of a real upstream-todo. Needs `npx tsc -b` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFloor, startUpstreamTodo } from '../src/services.js';
import type { Service } from '../src/spawn-service.js';
import { callApi } from '../src/task-api.js';
import { generateBenchKeys, mintToken, startJwksServer, type BenchKeys, type JwksServer } from '../src/tokens.js';

let keys: BenchKeys;
let jwks: JwksServer;
let upstream: Service;
let floor: Service;

beforeAll(async () => {
  keys = await generateBenchKeys();
  jwks = await startJwksServer(keys.jwks);
  upstream = await startUpstreamTodo(':memory:');
  floor = await startFloor({ upstreamUrl: upstream.url, jwksUrl: jwks.url, secret: keys.secret, tokenCacheEntries: 10_000, workers: 1 });
});

afterAll(async () => {
  await floor?.stop();
  await upstream?.stop();
  await jwks?.close();
});

describe('node-floor process', () => {
  it('forwards good HS256 and EdDSA tokens to upstream-todo (create, then list)', async () => {
    for (const alg of ['HS256', 'EdDSA'] as const) {
      const token = await mintToken(keys, alg, `floor-${alg}`);
      const created = await callApi(floor.url, 'POST', `/api/floor-${alg}/tasks`, token, { title: 'through the floor' });
      expect(created.status).toBe(201);
      const listed = await callApi(floor.url, 'GET', `/api/floor-${alg}/tasks`, token);
      expect(listed.status).toBe(200);
      expect(listed.body).toMatchObject([{ title: 'through the floor' }]);
    }
  });

  it('refuses a tampered token (401) and another user\'s path (403)', async () => {
    const token = await mintToken(keys, 'EdDSA', 'floor-owner');
    const [h, p, s] = token.split('.');
    const i = Math.floor(s!.length / 2);
    const tampered = `${h}.${p}.${s!.slice(0, i)}${s![i] === 'A' ? 'B' : 'A'}${s!.slice(i + 1)}`;
    expect((await callApi(floor.url, 'GET', '/api/floor-owner/tasks', tampered)).status).toBe(401);
    expect((await callApi(floor.url, 'GET', '/api/somebody-else/tasks', token)).status).toBe(403);
  });
});
