// proxy/client-origin.ts: the origin the client used, for Location rewriting. A proxy's
// X-Forwarded-Proto/-Host count only when it is trusted; a Host that is not host[:port] gives none.

import { describe, expect, it } from 'vitest';
import { clientOrigin } from '../../src/proxy/client-origin.js';

const FORWARDED = { host: 'gw.internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' };

describe('clientOrigin', () => {
  it('from an untrusted peer: its Host, over http, whatever forwarding headers it sent', () => {
    expect(clientOrigin(FORWARDED, false)).toBe('http://gw.internal:8080');
  });

  it('from a trusted proxy: the forwarded host and proto', () => {
    expect(clientOrigin(FORWARDED, true)).toBe('https://api.example.com');
    expect(clientOrigin({ host: 'gw', 'x-forwarded-proto': 'https' }, true)).toBe('https://gw');
    expect(clientOrigin({ host: 'gw', 'x-forwarded-host': 'api.example.com' }, true)).toBe('http://api.example.com');
  });

  it('a proto other than exactly "https" means http', () => {
    for (const proto of ['HTTPS', 'javascript', 'https, http', '']) expect(clientOrigin({ host: 'gw', 'x-forwarded-proto': proto }, true), proto).toBe('http://gw');
  });

  it('a forwarding header sent twice is not believed', () => {
    expect(clientOrigin({ host: 'gw', 'x-forwarded-host': ['a.example', 'b.example'] as unknown as string }, true)).toBe('http://gw');
  });

  it('IPv6 and port hosts are origins; a Host that is not host[:port] gives none', () => {
    expect(clientOrigin({ host: '[::1]:8080' }, false)).toBe('http://[::1]:8080');
    for (const host of ['evil.example/path', 'a b', 'user@evil.example', 'evil.example\\x', 'évil.example', '"x"', 'a, b', 'gw:99999']) {
      expect(clientOrigin({ host }, false), host).toBeUndefined();
    }
  });

  it("a trusted proxy's X-Forwarded-Host that is not host[:port] is ignored: the Host counts", () => {
    for (const host of ['evil.example/path', 'user@evil.example', '"><script>', 'a, b']) {
      expect(clientOrigin({ host: 'gw', 'x-forwarded-host': host }, true), host).toBe('http://gw');
    }
  });

  it('no Host at all gives none', () => {
    expect(clientOrigin({}, false)).toBeUndefined();
    expect(clientOrigin({ host: '' }, true)).toBeUndefined();
  });
});
