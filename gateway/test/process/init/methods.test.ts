// Exactly the methods the document lists: never OPTIONS, TRACE or anything the gateway does not forward.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { init, routesOf, tempDir } from './harness.js';

it('routes the listed forwardable methods and warns about every other one', async () => {
  const ok = { responses: { '200': { description: 'OK' } } };
  const file = join(tempDir(), 'openapi.json');
  writeFileSync(
    file,
    JSON.stringify({
      openapi: '3.2.0',
      info: { title: 'methods', version: '1' },
      paths: {
        '/things/{id}': { summary: 'a thing', 'x-internal': true, delete: ok, head: ok, get: ok, options: ok, trace: ok, query: ok, gett: ok, additionalOperations: { LINK: ok, PURGE: ok } },
      },
    }),
  );
  const run = await init(['--openapi', file]);
  expect(run.code, run.stderr).toBe(0);
  expect(routesOf(run.stdout)).toEqual([{ path: '/things/:id', methods: ['GET', 'HEAD', 'DELETE'], owner: undefined, public: false }]);
  for (const method of ['OPTIONS', 'TRACE', 'QUERY', 'LINK', 'PURGE']) expect(run.stderr).toContain(`/things/{id}: ${method} is not routed`);
  expect(run.stderr).toContain('/things/{id}: ignored "gett", which is not an OpenAPI operation');
  expect(run.stderr).not.toContain('x-internal');
});
