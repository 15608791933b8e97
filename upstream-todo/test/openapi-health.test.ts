// The OpenAPI document describes the six operations, and /health reflects the
// database: 200 while it answers, 503 once it does not (with 500s elsewhere
// that reveal nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, openDatabase, startServer, type RunningServer } from '../src/index.js';
import { client } from './helpers/http.js';

describe('GET /openapi.json', () => {
  let server: RunningServer;
  let doc: any;
  beforeAll(async () => {
    server = await startServer();
    const res = await client(server.url).get('/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => server.close());

  it('is an OpenAPI 3 document listing exactly the six task operations and health', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /api/{user_id}/tasks',
        'POST /api/{user_id}/tasks',
        'GET /api/{user_id}/tasks/{id}',
        'PUT /api/{user_id}/tasks/{id}',
        'DELETE /api/{user_id}/tasks/{id}',
        'PATCH /api/{user_id}/tasks/{id}/complete',
        'GET /health',
      ].sort(),
    );
  });

  it('documents the contract: bodies, limits, statuses and the Task shape', () => {
    const create = doc.paths['/api/{user_id}/tasks'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['title']);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(body.properties.description).toMatchObject({ maxLength: 1000 });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400']));

    const update = doc.paths['/api/{user_id}/tasks/{id}'].put;
    expect(update.requestBody.content['application/json'].schema).toMatchObject({ minProperties: 1, additionalProperties: false });
    expect(Object.keys(doc.paths['/api/{user_id}/tasks/{id}'].delete.responses)).toContain('204');
    expect(Object.keys(doc.paths['/api/{user_id}/tasks/{id}/complete'].patch.responses)).toEqual(
      expect.arrayContaining(['200', '404']),
    );

    const task = doc.components.schemas.Task;
    expect(Object.keys(task.properties).sort()).toEqual(
      ['completed', 'created_at', 'description', 'id', 'title', 'updated_at', 'user_id'],
    );
    const operationIds = Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    expect(new Set(operationIds).size).toBe(7);
  });
});

describe('health and unexpected errors', () => {
  it('health turns 503 when the database is gone, and other routes answer a bare 500', async () => {
    const db = openDatabase();
    const app = buildApp({ db });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      const api = client(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
      expect((await api.get('/health')).body).toEqual({ status: 'ok' });

      db.close(); // simulate a database failure under a running app
      const health = await api.get('/health');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ status: 'unavailable' });

      const broken = await api.get('/api/u/tasks');
      expect(broken.status).toBe(500);
      expect(broken.body).toEqual({ error: 'internal_error', message: 'Internal Server Error' });
    } finally {
      await app.close();
    }
  });
});
