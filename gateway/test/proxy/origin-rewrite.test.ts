// The URL rewriter alone, for upstream spellings the end-to-end tests cannot listen on:
// default ports, a `localhost` or `[::1]` upstream, and a non-loopback upstream.
import { describe, expect, it } from 'vitest';
import { createUrlRewriter } from '../../src/proxy/origin-rewrite.js';

const client = 'https://api.example.com';

describe('an upstream on the default port', () => {
  const rewrite = createUrlRewriter('http://backend');
  it.each(['http://backend/x', 'http://backend:80/x', 'HTTP://BACKEND:080/x', '//backend/x', 'http://backend:80\\x'])('%s → the client origin', (reference) => {
    expect(rewrite(reference, client)).toBe(`${client}/x`);
  });
  it.each(['http://backend:8080/x', 'https://backend/x', 'http://localhost/x', 'http://backend.evil/x'])('%s is left alone', (reference) => {
    // A non-loopback upstream has no aliases; https defaults to 443, another port.
    expect(rewrite(reference, client)).toBe(reference);
  });
});

describe('loopback aliases', () => {
  for (const upstream of ['http://localhost:8000', 'http://127.0.0.1:8000', 'http://[::1]:8000']) {
    const rewrite = createUrlRewriter(upstream);
    it.each(['http://localhost:8000/x', 'http://127.0.0.1:8000/x', 'http://[::1]:8000/x', 'http://[0:0:0:0:0:0:0:1]:8000/x', 'http://app.localhost:8000/x'])(`${upstream}: %s → the client origin`, (reference) => {
      expect(rewrite(reference, client)).toBe(`${client}/x`);
    });
    it(`${upstream}: another port or a public host is left alone`, () => {
      expect(rewrite('http://localhost:8001/x', client)).toBe('http://localhost:8001/x');
      expect(rewrite('http://10.0.0.1:8000/x', client)).toBe('http://10.0.0.1:8000/x');
    });
  }
});

describe('references that are not URLs of the upstream', () => {
  const rewrite = createUrlRewriter('http://127.0.0.1:8000');
  it.each(['/x', 'x', '?q', '#f', '', 'http://[::1', 'http://127.0.0.1:99999/', 'javascript:alert(1)'])('%j is left byte for byte', (reference) => {
    expect(rewrite(reference, client)).toBe(reference);
  });
});

describe('a path on the host it is read against (the parse is skipped for it)', () => {
  const rewrite = createUrlRewriter('http://127.0.0.1:8000');
  it.each(['/', '/api/u/tasks/7', '/x?next=http://127.0.0.1:8000/y', '/%2F127.0.0.1:8000/x', '/x\\y'])('%j is left byte for byte', (reference) => {
    expect(rewrite(reference, client)).toBe(reference);
  });
  // What only looks like a path: the parser reads an authority in each, and it names the upstream.
  it.each(['//127.0.0.1:8000/x', '/\\127.0.0.1:8000/x', '/\t/127.0.0.1:8000/x', '/\n/127.0.0.1:8000/x', '\t//127.0.0.1:8000/x', ' //127.0.0.1:8000/x'])('%j → the client origin', (reference) => {
    expect(rewrite(reference, client)).toBe(`${client}/x`);
  });
});

