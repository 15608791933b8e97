// The public app's last resort, over a real socket: a forward that fails unexpectedly (its
// promise rejects) is still answered 500 internal_error in the contract's format, the serving
// state is released, and the request is observed once — the path answer() hands to `unexpected`.
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createResponder } from '../../src/errors/respond.js';
import type { Outcome } from '../../src/observe/outcome.js';
import { buildPublicApp } from '../../src/serving/public-app.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

it('a forward whose promise rejects is answered 500 internal_error, released and observed once', async () => {
  const observed: Outcome[] = [];
  let held = 0;
  const respond = createResponder('test', { responseHeaders: () => ({}), preflightHeaders: () => ({}) });
  const state = {
    decide: () => ({ kind: 'forward' as const, target: { path: '/x', query: '' } }),
    respond,
    forward: () => Promise.reject(new Error('boom')),
    release: () => void held--,
  };
  const serving = { hold: () => (held++, state) };
  const limits = { headerTimeoutMs: 5_000, requestTimeoutMs: 10_000 };
  const { server } = buildPublicApp(pino({ level: 'silent' }), serving as never, (o) => observed.push(o), limits as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));

  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
  expect(res.status).toBe(500);
  const body = (await res.json()) as Record<string, string>;
  expect(body['reason']).toBe('internal_error');
  expect(JSON.stringify(body)).not.toContain('boom');
  expect(res.headers.get('x-request-id')).toBe(body['request_id']);
  expect(held).toBe(0);
  expect(observed.map((o) => [o.status, o.reason])).toEqual([[500, 'internal_error']]);
});
