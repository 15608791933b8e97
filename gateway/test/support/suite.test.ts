// The harness's own contract: a stand-in is the real server inside the tests, refuses to be
// read before beforeAll has started it, and the recording upstream is fresh for every test.

import { describe, expect, it } from 'vitest';
import { useServer, useUpstream } from './suite.js';

describe('useServer', () => {
  let closed = 0;
  class FakeServer {
    readonly name = 'real';
    get upper(): string {
      return this.name.toUpperCase();
    }
    async close(): Promise<void> {
      closed++;
    }
  }
  const server = useServer(async () => new FakeServer());

  // Collection time: beforeAll has not run.
  let earlyError: unknown;
  try {
    void server.name;
  } catch (error) {
    earlyError = error;
  }

  it('throws when read before the suite started it', () => {
    expect(String(earlyError)).toMatch(/exists only between the suite's beforeAll and afterAll/);
  });

  it('forwards properties, getters (with the real `this`) and `in` to the started server', () => {
    expect(server.name).toBe('real');
    expect(server.upper).toBe('REAL');
    expect('close' in server).toBe(true);
    expect(Object.keys(server)).toEqual(['name']);
    expect(closed).toBe(0);
  });

  it('is read-only', () => {
    expect(() => ((server as { name: string }).name = 'other')).toThrow(/read-only/);
  });
});

describe('useUpstream', () => {
  const upstream = useUpstream();

  it('records a request', async () => {
    upstream.respondWith((_req, res) => void res.end('custom'));
    const res = await fetch(`${upstream.url}/first`);
    expect(await res.text()).toBe('custom');
    expect(upstream.requests).toHaveLength(1);
  });

  it('starts the next test with no requests and the default echo', async () => {
    expect(upstream.requests).toHaveLength(0);
    const res = await fetch(`${upstream.url}/second`);
    expect(await res.json()).toEqual({ method: 'GET', url: '/second' });
  });
});
