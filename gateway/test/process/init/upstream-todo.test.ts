// (a) The real task service's own /openapi.json, fetched over a real socket, must give exactly the
// routes the project ships in config/gateway.yaml — and the file must work: accepted by the real
// CLI's --check-config, and protecting the real service when a gateway runs from it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startServer, type RunningServer } from 'upstream-todo';
import { parseConfig } from '../../../src/gateway-config.js';
import { startTestGateway, TEST_ISSUER, TEST_SECRET } from '../../support/gateway.js';
import { hs256Token } from '../../support/hs256.js';
import { spawnGateway } from '../../support/spawn-gateway.js';
import { byPath, freshOut, init, readText, routesOf } from './harness.js';

const SHIPPED = new URL('../../../../config/gateway.yaml', import.meta.url);

let todo: RunningServer;
beforeAll(async () => {
  todo = await startServer({ dbPath: ':memory:', logger: false });
});
afterAll(async () => {
  await todo?.close();
});

describe('gateway init --openapi <upstream-todo>/openapi.json --public /health', () => {
  it('writes the routes of the shipped config/gateway.yaml, and the upstream it was fetched from', async () => {
    const { file } = freshOut();
    const run = await init(['--openapi', `${todo.url}/openapi.json`, '--public', '/health', '--out', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');

    const shipped = routesOf(readFileSync(SHIPPED, 'utf8'), { BETTER_AUTH_SECRET: TEST_SECRET });
    expect(shipped.length).toBe(4);
    expect(byPath(routesOf(readText(file)))).toEqual(byPath(shipped));
    expect(parseConfig(readText(file), {}).config.upstream.url).toBe(todo.url);

    // The summary names every route with its protection.
    expect(run.stderr).toMatch(/\/api\/:user_id\/tasks\/:id\s+GET PUT DELETE\s+owner/);
    expect(run.stderr).toMatch(/\/health\s+GET\s+public/);
    expect(run.stderr).toContain(`wrote ${file}`);
  });

  it('without --public, /health stays protected and is only suggested', async () => {
    const run = await init(['--openapi', `${todo.url}/openapi.json`]);
    expect(run.code, run.stderr).toBe(0);
    const health = routesOf(run.stdout).find((r) => r.path === '/health');
    expect(health).toEqual({ path: '/health', methods: ['GET'], owner: undefined, public: false });
    expect(run.stdout).toContain('suggestion: it looks like a health or status check; to serve it without a token, run init again with');
    expect(run.stdout).not.toMatch(/^\s+public: true/m);
  });

  it('is accepted by the real CLI: gateway --check-config', async () => {
    const { file } = freshOut();
    expect((await init(['--openapi', `${todo.url}/openapi.json`, '--public', '/health', '--out', file])).code).toBe(0);
    const check = spawnGateway(['--check-config', file]);
    expect(await check.exited, check.stderr()).toBe(0);
    expect(check.lines.map((l) => l['text']).join('\n')).toContain(`${file}: OK`);
  });

  it('protects the real service when a gateway runs from the generated file', async () => {
    const run = await init(['--openapi', `${todo.url}/openapi.json`, '--public', '/health', '--secret-env', 'TEST_SECRET', '--issuer', TEST_ISSUER]);
    expect(run.code, run.stderr).toBe(0);
    const gateway = await startTestGateway(run.stdout, { TEST_SECRET, GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: '0', GATEWAY_ADMIN_PORT: '0' });
    try {
      const call = async (method: string, path: string, subject?: string, body?: unknown) => {
        const headers: Record<string, string> = {};
        if (subject) headers['authorization'] = `Bearer ${await hs256Token(subject)}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        const res = await request(`${gateway.url}${path}`, { method: method as 'GET', headers, body: body === undefined ? undefined : JSON.stringify(body) });
        await res.body.dump();
        return res.statusCode;
      };
      expect(await call('GET', '/api/alice/tasks')).toBe(401);
      expect(await call('GET', '/api/alice/tasks', 'bob')).toBe(403);
      expect(await call('POST', '/api/alice/tasks', 'alice', { title: 'from init' })).toBe(201);
      expect(await call('GET', '/api/alice/tasks', 'alice')).toBe(200);
      expect(await call('GET', '/health')).toBe(200);
      expect(await call('GET', '/openapi.json', 'alice')).toBe(404); // not in the document: default deny
      expect(await call('DELETE', '/api/alice/tasks', 'alice')).toBe(405);
    } finally {
      await gateway.close();
    }
  });
});
