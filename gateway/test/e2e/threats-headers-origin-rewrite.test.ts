// docs/threats.md family 6 (header spoofing): the upstream's address in response headers, over
// real sockets: every header that can carry a URL (Location, Content-Location, Refresh, Link)
// is parsed as a browser would and compared by origin, so odd spellings of the upstream (and,
// for a loopback upstream, other loopback names) are rewritten to the origin the client used. Other URLs are left byte for byte.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { call, expectNoUpstreamAddress, rawRequest } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url));
const token = await hs256Token('alice');
const port = (): string => new URL(upstream.url).port;

/** The client's headers when the upstream answers 302 with these headers. */
async function through(headers: Record<string, string | string[]>): Promise<Record<string, string | string[] | undefined>> {
  upstream.respondWith((_req, res) => {
    res.writeHead(302, headers);
    res.end();
  });
  const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${token}` } });
  expect(reply.status).toBe(302);
  return reply.headers;
}

describe('Location spellings that name the upstream are rewritten', () => {
  const cases: Array<[string, () => string, string]> = [
    ['a backslash after the port (a browser reads it as /)', () => `http://127.0.0.1:${port()}\\evil`, '/evil'],
    ['user info', () => `http://user:pw@127.0.0.1:${port()}/x`, '/x'],
    ['upper-case scheme and host', () => `HTTP://127.0.0.1:${port()}/X`, '/X'],
    ['https on the upstream port', () => `https://127.0.0.1:${port()}/x`, '/x'],
    ['localhost for 127.0.0.1', () => `http://localhost:${port()}/x`, '/x'],
    ['LOCALHOST in capitals', () => `http://LOCALHOST:${port()}/x`, '/x'],
    ['[::1] for 127.0.0.1', () => `http://[::1]:${port()}/x`, '/x'],
    ['an IPv4-mapped IPv6 address', () => `http://[::ffff:127.0.0.1]:${port()}/x`, '/x'],
    ['another 127/8 address', () => `http://127.0.0.2:${port()}/x`, '/x'],
    ['a decimal IPv4 address', () => `http://2130706433:${port()}/x`, '/x'],
    ['scheme-relative', () => `//localhost:${port()}/x?q=1#frag`, '/x?q=1#frag'],
    // Each starts with one '/', like the plain paths the rewrite lets through unparsed.
    ['scheme-relative with a backslash (a browser reads /\\ as //)', () => `/\\127.0.0.1:${port()}/x`, '/x'],
    ['scheme-relative with a tab between the slashes (a browser drops it)', () => `/\t/127.0.0.1:${port()}/x`, '/x'],
    ['dot segments', () => `http://127.0.0.1:${port()}/a/../b`, '/b'],
  ];
  for (const [name, location, path] of cases) {
    it(name, async () => {
      const headers = await through({ location: location() });
      expect(headers['location']).toBe(`${gateway.url}${path}`);
      expectNoUpstreamAddress(String(headers['location']), upstream.url);
    });
  }

  it('Content-Location too', async () => {
    const headers = await through({ location: '/x', 'content-location': `http://localhost:${port()}/api/alice/tasks/1` });
    expect(headers['content-location']).toBe(`${gateway.url}/api/alice/tasks/1`);
    expect(headers['location']).toBe('/x');
  });
});

describe('URLs that do not name the upstream are left as sent', () => {
  const untouched = () => [
    '/relative/path?q=1',
    'relative',
    'http://example.com/x',
    `http://127.0.0.1:${Number(port()) === 65535 ? 1 : Number(port()) + 1}/x`,
    `http://127.0.0.1.evil.example:${port()}/x`,
    `http://127.0.0.1:${port()}0/x`,
    'mailto:someone@example.com',
  ];
  it('each one', async () => {
    for (const location of untouched()) {
      const headers = await through({ location });
      expect(headers['location']).toBe(location);
    }
  });
});

describe('Refresh', () => {
  // `sent(port)`: the test name shows PORT, the test sends the upstream's real port.
  const cases: Array<[(p: string) => string, () => string]> = [
    [(p) => `0; url=http://localhost:${p}/x`, () => `0; url=${gateway.url}/x`],
    [(p) => `5;URL='http://127.0.0.1:${p}/y'`, () => `5;URL='${gateway.url}/y'`],
    [(p) => `1, url="HTTP://[::1]:${p}/z" `, () => `1, url="${gateway.url}/z" `],
    [(p) => `0;http://127.0.0.1:${p}/w`, () => `0;${gateway.url}/w`],
    [() => '3', () => '3'],
    [() => '0; url=https://example.com/', () => '0; url=https://example.com/'],
  ];
  for (const [sent, expected] of cases) {
    it(sent('PORT'), async () => {
      const headers = await through({ location: '/x', refresh: sent(port()) });
      expect(headers['refresh']).toBe(expected());
    });
  }
});

describe('Link', () => {
  it('every target naming the upstream, in one header and across several, and the anchor parameter', async () => {
    const headers = await through({
      location: '/x',
      link: [
        `<http://127.0.0.1:${port()}/a>; rel=next, <HTTP://LOCALHOST:${port()}/b>; rel=prev, <https://cdn.example/c.css>; rel=preload; as=style`,
        `</d>; rel=item; title="<http://127.0.0.1:${port()}/not-a-target>", <//[::1]:${port()}/e>; rel=up; anchor="http://127.0.0.1:${port()}/f"`,
      ],
    });
    expect(headers['link']).toEqual([
      `<${gateway.url}/a>; rel=next, <${gateway.url}/b>; rel=prev, <https://cdn.example/c.css>; rel=preload; as=style`,
      `</d>; rel=item; title="<http://127.0.0.1:${port()}/not-a-target>", <${gateway.url}/e>; rel=up; anchor="${gateway.url}/f"`,
    ]);
  });
});

describe('without a client origin (HTTP/1.0, no Host)', () => {
  it('a relative reference, never one that names another host', async () => {
    upstream.respondWith((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${port()}//evil.example/x`, 'content-location': `http://127.0.0.1:${port()}/y` });
      res.end();
    });
    const reply = await sendRaw(gateway.url, rawRequest([`GET /api/alice/tasks HTTP/1.0`, `Authorization: Bearer ${token}`]));
    expect(reply.status).toBe(302);
    expect(reply.headers['location']).toBe('/.//evil.example/x');
    expect(reply.headers['content-location']).toBe('/y');
  });
});
