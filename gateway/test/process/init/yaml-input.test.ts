// (d) YAML input: a hand-written OpenAPI 3.0 document, from a file and over HTTP. Its servers
// entry supplies the upstream and the base path; `security: []` operations are only suggested.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/gateway-config.js';
import { startRecordingUpstream, type RecordingUpstream } from '../../support/recording-upstream.js';
import { fixture, init, routesOf } from './harness.js';

const DOC = fixture('billing.openapi.yaml');

describe('gateway init on a YAML OpenAPI 3.0 document', () => {
  it('routes every path under the base path of servers[0].url, with exactly the methods listed', async () => {
    const run = await init(['--openapi', DOC]);
    expect(run.code, run.stderr).toBe(0);
    expect(routesOf(run.stdout)).toEqual([
      { path: '/v2/status', methods: ['GET'], owner: undefined, public: false },
      { path: '/v2/accounts/:account_id/invoices', methods: ['GET', 'HEAD'], owner: undefined, public: false },
      // a local $ref path item, resolved
      { path: '/v2/accounts/:account_id/invoices/:invoice_id', methods: ['GET', 'DELETE'], owner: undefined, public: false },
      // with and without the trailing slash: two paths to the gateway, each routed as written
      { path: '/v2/users/:user_id/payment-methods', methods: ['GET'], owner: 'user_id', public: false },
      { path: '/v2/users/:user_id/payment-methods/', methods: ['POST'], owner: 'user_id', public: false },
      { path: '/v2/webhooks/stripe', methods: ['POST'], owner: undefined, public: false },
    ]);
    // servers[0].url with its {region} variable at its default
    expect(parseConfig(run.stdout, {}).config.upstream.url).toBe('https://eu.billing.example.com');
    expect(run.stdout).toContain('url: ${UPSTREAM_URL:-https://eu.billing.example.com}');
    expect(run.stderr).toContain('every path is prefixed with /v2');
    expect(run.stderr).toContain('/webhooks/stripe: OPTIONS is not routed');
    expect(run.stderr).toContain('{account_id} looks like an owner parameter');
  });

  it('suggests the security: [] operations as public but opens only those --public names (either spelling)', async () => {
    const suggested = await init(['--openapi', DOC]);
    expect(suggested.stdout).toContain('suggestion: the document says it needs no authentication (security: []); to serve it without a');
    expect(routesOf(suggested.stdout).filter((r) => r.public)).toEqual([]);

    const run = await init(['--openapi', DOC, '--public', '/status', '--public', '/v2/webhooks/stripe']);
    expect(run.code, run.stderr).toBe(0);
    expect(routesOf(run.stdout).filter((r) => r.public).map((r) => r.path)).toEqual(['/v2/status', '/v2/webhooks/stripe']);
    expect(run.stderr).toContain('public for POST too: anyone may call it without a token');
  });

  describe('fetched over HTTP', () => {
    let server: RecordingUpstream;
    beforeAll(async () => {
      server = await startRecordingUpstream();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('reads YAML whatever the Content-Type, and resolves a relative server URL against the document URL', async () => {
      const text = readFileSync(DOC, 'utf8').replace(/^servers:\n(?:  .*\n)+/m, 'servers:\n  - url: /billing/v2\n');
      server.respondWith((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
      });
      const run = await init(['--openapi', `${server.url}/billing/v2/openapi.yaml`]);
      expect(run.code, run.stderr).toBe(0);
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /billing/v2/openapi.yaml']);
      expect(parseConfig(run.stdout, {}).config.upstream.url).toBe(server.origin);
      expect(routesOf(run.stdout)[0]?.path).toBe('/billing/v2/status');
    });
  });
});
