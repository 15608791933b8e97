// docs/threats.md family 8 — the connect half of the one retry (docs/contract.md, exactly once):
// a connect refused is retried once, on a fresh connection, and answered when the upstream is
// listening by then; refused twice it is 502 after exactly one retry, and a body still arriving
// then raises no unhandled error. And the upstream's Keep-Alive hints, which keep the pool from
// reusing a connection the upstream is about to close. Real sockets on both sides.
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { eventually } from '../support/eventually.js';
import { hs256Token } from '../support/hs256.js';
import { metricValue } from '../support/metrics.js';
import { openRaw } from '../support/raw-http.js';
import { rawResponse, startRawUpstream } from '../support/raw-upstream.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';
import { refusingUpstreamUrl, withGateway } from '../support/suite.js';
import { call, expectDenial, hostOf, rawRequest } from '../support/threat-kit.js';

const alice = await hs256Token('alice');
const auth = { authorization: `Bearer ${alice}` };
const RETRIES = 'gateway_upstream_retries_total';

describe('the upstream\'s Keep-Alive hint', () => {
  /** The index of each request on its upstream connection (0: a new connection), for 4 requests one after another. */
  async function reuse(hint: string): Promise<number[]> {
    const indexes: number[] = [];
    const up = await startRawUpstream((_target, index) => (indexes.push(index), rawResponse('200 OK', ['Content-Type: application/json', `Keep-Alive: ${hint}`], '[]')));
    try {
      await withGateway(hs256Config(up.url), async (gw) => {
        for (let i = 0; i < 4; i++) expect((await call(gw.url, { path: '/api/alice/tasks', headers: auth })).status).toBe(200);
      });
    } finally {
      await up.close();
    }
    return indexes;
  }

  it('timeout=1 (within keepAliveTimeoutThreshold, 2 s): a connection the upstream is about to close is never reused', async () => {
    expect(await reuse('timeout=1')).toEqual([0, 0, 0, 0]);
  });

  it('timeout=5: the connection is reused (for up to 3 s idle)', async () => {
    expect(await reuse('timeout=5')).toEqual([0, 1, 2, 3]);
  });
});

describe('a connect refused', () => {
  it('then the upstream listening: the request is sent once more on a fresh connection and answered', async () => {
    const url = await refusingUpstreamUrl();
    const port = Number(new URL(url).port);
    let late: Promise<RecordingUpstream> | undefined;
    // The moment the gateway's connect is refused, the upstream starts listening on that port.
    const onConnectError = (message: unknown) => {
      const { connectParams, error } = message as { connectParams: { port: string | number }; error: NodeJS.ErrnoException };
      if (late === undefined && Number(connectParams.port) === port && error.code === 'ECONNREFUSED') late = startRecordingUpstream(port);
    };
    diagnosticsChannel.subscribe('undici:client:connectError', onConnectError);
    try {
      await withGateway(hs256Config(url), async (gw) => {
        const reply = await call(gw.url, { method: 'POST', path: '/api/alice/tasks', headers: { ...auth, 'content-type': 'application/json' }, body: '{"title":"late"}' });
        expect(reply.status, reply.text).toBe(200);
        expect(late, 'the first connect was refused').toBeDefined();
        const up = await late!;
        try {
          expect(up.requests.map((r) => [r.method, r.url, r.body.toString()])).toEqual([['POST', '/api/alice/tasks', '{"title":"late"}']]);
          const line = await eventually(() => gw.logs.find((l) => l['msg'] === 'request' && l['request_id'] === reply.headers['x-request-id']), (l) => l !== undefined);
          expect(line).toMatchObject({ status: 200, retried: 'connect_failed' });
          expect(await metricValue(gw.adminUrl, RETRIES, { reason: 'connect_failed' })).toBe(1);
        } finally {
          await up.close();
        }
      });
    } finally {
      diagnosticsChannel.unsubscribe('undici:client:connectError', onConnectError);
    }
  });

  it('twice: 502 upstream_unreachable after exactly one retry', async () => {
    await withGateway(hs256Config(await refusingUpstreamUrl()), async (gw) => {
      const reply = await call(gw.url, { path: '/api/alice/tasks', headers: auth });
      expectDenial(reply, 502, 'upstream_unreachable');
      const line = await eventually(() => gw.logs.find((l) => l['msg'] === 'request' && l['request_id'] === reply.headers['x-request-id']), (l) => l !== undefined);
      expect(line).toMatchObject({ status: 502, reason: 'upstream_unreachable', retried: 'connect_failed' });
      expect(await metricValue(gw.adminUrl, RETRIES, { reason: 'connect_failed' })).toBe(1);
      expect(await metricValue(gw.adminUrl, RETRIES, { reason: 'socket_closed' })).toBe(0);
    });
  });

  it('twice, while a chunked body keeps arriving past limits.body: 502, no unhandled error, the gateway keeps serving', async () => {
    // The body guard outlives every attempt (undici's listener on it leaves with each one): a
    // body that fails after the 502 must not raise an unhandled error, which would end the process.
    const unhandled: unknown[] = [];
    const onUncaught = (error: unknown) => void unhandled.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      await withGateway(hs256Config(await refusingUpstreamUrl(), 'limits: { body: 1kb }'), async (gw) => {
        const client = await openRaw(gw.url);
        const chunk = `100\r\n${'x'.repeat(256)}\r\n`;
        await client.write(rawRequest([`POST /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gw.url)}`, `Authorization: Bearer ${alice}`, 'Transfer-Encoding: chunked'], chunk));
        const head = await client.waitFor((raw) => raw.includes('\r\n\r\n'));
        expect(head).toMatch(/^HTTP\/1\.1 502 /);
        // 8 KiB more, past the 1 KiB limit, while the refusal lingers.
        for (let i = 0; i < 32; i++) await client.write(chunk).catch(() => undefined);
        client.destroy();
        expect((await call(gw.adminUrl, { path: '/healthz' })).status).toBe(200);
        expectDenial(await call(gw.url, { path: '/api/alice/tasks', headers: auth }), 502, 'upstream_unreachable');
      });
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(unhandled).toEqual([]);
  });
});
