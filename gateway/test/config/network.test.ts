import { describe, expect, it } from 'vitest';
import { base, expectProblem, load, paths, problemsOf } from './helpers.js';

describe('listen and admin', () => {
  it('defaults to 0.0.0.0:8080 and 127.0.0.1:9090', () => {
    const { config } = load(base());
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9090 });
  });

  it('reads host and port, each with its own default', () => {
    const tree = base();
    tree.listen = { port: 80 };
    tree.admin = { host: '::1' };
    const { config } = load(tree);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 80 });
    expect(config.admin).toEqual({ host: '::1', port: 9090 });
  });

  it.each([
    [{ port: 65536 }, 'listen.port', /integer from 0 to 65535/],
    [{ port: -1 }, 'listen.port', /integer from 0 to 65535/],
    [{ port: 80.5 }, 'listen.port', /integer/],
    [{ host: '[::]' }, 'listen.host', /without brackets \(::\)/],
    [{ host: 'http://example.com' }, 'listen.host', /IP address .* or a host name/],
    [{ host: 'bad host' }, 'listen.host', /IP address/],
    [{ host: 8080 }, 'listen.host', /must be a string/],
    [{ hots: 'x' }, 'listen.hots', /did you mean "host"/],
  ])('refuses listen %j', (listen, path, message) => {
    const tree = base();
    tree.listen = listen;
    expectProblem(tree, path, message);
  });

  it('refuses admin on the public socket', () => {
    const tree = base();
    tree.listen = { host: '0.0.0.0', port: 8080 };
    for (const admin of [{ host: '0.0.0.0', port: 8080 }, { host: '127.0.0.1', port: 8080 }, { host: '::', port: 8080 }]) {
      tree.admin = admin;
      expectProblem(tree, 'admin.port', /collides with listen 0\.0\.0\.0:8080/);
    }
    tree.listen = { host: '127.0.0.1', port: 7000 };
    tree.admin = { host: 'localhost', port: 7000 };
    expectProblem(tree, 'admin.port', /collides/);
  });

  it('allows the same port on different specific hosts, and port 0 (any free port) on both', () => {
    const tree = base();
    tree.listen = { host: '10.0.0.1', port: 8080 };
    tree.admin = { host: '127.0.0.1', port: 8080 };
    expect(load(tree).config.admin.port).toBe(8080);
    tree.listen = { host: '127.0.0.1', port: 0 };
    tree.admin = { host: '127.0.0.1', port: 0 };
    expect(load(tree).config.listen.port).toBe(0);
  });

  it('warns when the admin port is not on loopback', () => {
    const tree = base();
    tree.admin = { host: '0.0.0.0', port: 9090 };
    expect(load(tree).warnings).toEqual([expect.stringMatching(/^admin\.host: 0\.0\.0\.0 exposes \/metrics/)]);
  });
});

describe('upstream', () => {
  it('keeps the origin only, with defaults for timeout and connections', () => {
    const tree = base();
    tree.upstream = { url: 'HTTP://Backend:8000/' };
    expect(load(tree).config.upstream).toEqual({ url: 'http://backend:8000', timeoutMs: 10_000, connections: 64 });
    tree.upstream = { url: 'https://api.internal', timeout: '2.5s', connections: 8 };
    expect(load(tree).config.upstream).toEqual({ url: 'https://api.internal', timeoutMs: 2500, connections: 8 });
  });

  it('is required, and so is its url', () => {
    const tree = base();
    delete tree.upstream;
    expectProblem(tree, 'upstream', /is required/);
    tree.upstream = { timeout: '1s' };
    expectProblem(tree, 'upstream.url', /is required/);
  });

  it.each([
    ['http://backend:8000/api', /must not have a path \(\/api\)/],
    ['http://backend:8000/?x=1', /query string/],
    ['http://backend:8000?', /query string/],
    ['http://backend:8000#top', /fragment/],
    ['http://user:pw@backend:8000', /user name or password/],
    ['ws://backend:8000', /not ws/],
    ['backend:8000', /not backend/],
    ['/relative', /absolute http/],
  ])('refuses url %j', (url, message) => {
    const tree = base();
    tree.upstream.url = url;
    expectProblem(tree, 'upstream.url', message);
  });

  it('refuses a zero timeout or connection pool', () => {
    const tree = base();
    tree.upstream.timeout = 0;
    tree.upstream.connections = 0;
    expect(paths(problemsOf(tree))).toEqual(['upstream.timeout', 'upstream.connections']);
  });
});

describe('trust_proxy', () => {
  it('defaults to false and accepts booleans', () => {
    expect(load(base()).config.trustProxy).toBe(false);
    const tree = base();
    tree.trust_proxy = false;
    expect(load(tree).config.trustProxy).toBe(false);
  });

  it('accepts true with a warning', () => {
    const tree = base();
    tree.trust_proxy = true;
    const { config, warnings } = load(tree);
    expect(config.trustProxy).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/^trust_proxy: true believes X-Forwarded-\* from every client/)]);
  });

  it('accepts a list of IPs and CIDRs (v4 and v6); an empty list means false', () => {
    const tree = base();
    tree.trust_proxy = ['10.0.0.0/8', '192.168.1.10', 'fd00::/8', '::1', '172.16.0.0/12'];
    expect(load(tree).config.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.10', 'fd00::/8', '::1', '172.16.0.0/12']);
    tree.trust_proxy = [];
    expect(load(tree).config.trustProxy).toBe(false);
  });

  it('accepts a comma-separated string from the environment', () => {
    const tree = base();
    tree.trust_proxy = '${TRUSTED:-false}';
    expect(load(tree).config.trustProxy).toBe(false);
    expect(load(tree, { TRUSTED: '10.0.0.0/8, 10.1.2.3' }).config.trustProxy).toEqual(['10.0.0.0/8', '10.1.2.3']);
    expect(problemsOf(tree, { TRUSTED: '10.0.0.0/8,nope' })).toEqual([
      { path: 'trust_proxy (entry 2)', message: expect.stringMatching(/IP address or a CIDR block/) },
    ]);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.256', 'nope', '10.0.0.0/8/1', '10.0.0.0/', '10.0.0.0/08', 'fe80::1%eth0'])('refuses %j', (entry) => {
    const tree = base();
    tree.trust_proxy = ['10.0.0.1', entry];
    expectProblem(tree, 'trust_proxy[1]', /IP address or a CIDR block/);
  });

  it('refuses other shapes, and warns about /0', () => {
    const tree = base();
    tree.trust_proxy = { cidrs: [] };
    expectProblem(tree, 'trust_proxy', /false, true, or a list/);
    tree.trust_proxy = 1;
    expectProblem(tree, 'trust_proxy', /false, true, or a list/);
    tree.trust_proxy = ['0.0.0.0/0'];
    expect(load(tree).warnings).toEqual([expect.stringMatching(/^trust_proxy\[0\]: 0\.0\.0\.0\/0 trusts every peer/)]);
  });
});

describe('cors', () => {
  it('defaults to no origins and a 10-minute max age', () => {
    expect(load(base()).config.cors).toEqual({ origins: [], maxAgeSeconds: 600 });
  });

  it('normalizes origins (lower-case host, default port dropped) and max_age to seconds', () => {
    const tree = base();
    tree.cors = { origins: ['http://LOCALHOST:3000', 'https://app.example.com:443'], max_age: '1h' };
    expect(load(tree).config.cors).toEqual({ origins: ['http://localhost:3000', 'https://app.example.com'], maxAgeSeconds: 3600 });
  });

  it.each([
    ['*', /"\*" is refused: requests carry credentials/],
    ['null', /"null" is refused/],
    ['http://localhost:3000/', /must not end with "\/"/],
    ['http://localhost:3000/app', /no path, query or fragment/],
    ['http://localhost:3000?x', /no path, query or fragment/],
    ['localhost:3000', /not localhost/],
    ['file://x', /not file/],
    ['https://u:p@app.example.com', /user name or password/],
  ])('refuses origin %j', (origin, message) => {
    const tree = base();
    tree.cors = { origins: [origin] };
    expectProblem(tree, 'cors.origins[0]', message);
  });

  it('refuses duplicates (after normalization) and a max_age that is not whole seconds', () => {
    const tree = base();
    tree.cors = { origins: ['https://a.example', 'HTTPS://A.EXAMPLE'], max_age: '1500ms' };
    expect(problemsOf(tree)).toEqual([
      { path: 'cors.origins[1]', message: 'https://a.example is listed twice' },
      { path: 'cors.max_age', message: expect.stringMatching(/whole number of seconds/) },
    ]);
  });
});
