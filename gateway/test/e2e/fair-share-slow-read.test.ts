// THREATS.md family 10 — a slow reader of large responses. Mallory asks for her (large) list on
// as many connections as the upstream pool has and never reads: the relay pauses the upstream
// with backpressure, and every pooled connection stays held. limits.response_idle_timeout cuts
// her off and aborts the upstream requests, so the pool is free again and alice is served.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { metricReaches } from '../support/metrics.js';
import { openSlowReader, streamLargeAnswer, type LargeAnswer } from '../support/slow-peers.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { call } from '../support/threat-kit.js';

const CONNECTIONS = 4;
const IDLE_MS = 500;
/** Large enough that no socket buffer on the way can hold it: the gateway must pause the upstream. */
const LARGE = 64 * 1024 * 1024;

const upstream = useUpstream();
const gateway = useGateway(() =>
  hs256Config(upstream.url, `limits: { response_idle_timeout: ${IDLE_MS}ms, concurrent_per_subject: ${CONNECTIONS} }`).replace('timeout: 2s', `timeout: 3s\n  connections: ${CONNECTIONS}`),
);
const [mallory, alice] = await Promise.all([hs256Token('mallory'), hs256Token('alice')]);

describe('a client that asks for large responses and never reads them', () => {
  it('is cut off after response_idle_timeout, the upstream requests are aborted, and alice is served meanwhile', async () => {
    const answers: LargeAnswer[] = [];
    upstream.respondWith((request, res) => {
      if (request.url.startsWith('/api/mallory/')) answers.push(streamLargeAnswer(res, LARGE));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    const readers = await Promise.all(Array.from({ length: CONNECTIONS }, () => openSlowReader(gateway.url, '/api/mallory/tasks', mallory)));
    // Every pooled connection is now held by a paused relay: the upstream cannot write further.
    while (answers.length < CONNECTIONS) await upstream.nextRequest();
    const stalledAt = await Promise.all(answers.map((a) => a.stalled));

    const reply = await call(gateway.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${alice}` } });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.text).toBe('[]');

    const ended = await Promise.all(answers.map((a) => a.ended));
    ended.forEach((end, i) => {
      expect(end.finished, 'the upstream request was aborted, not read to its end').toBe(false);
      // Cut within the limit (plus slack for a loaded machine), not early.
      expect(end.at - stalledAt[i]!).toBeLessThan(IDLE_MS + 1_500);
    });
    // Her client connections are closed too: reading now ends well short of the body.
    for (const reader of readers) expect(await reader.drain()).toBeLessThan(LARGE);
    await metricReaches(gateway.adminUrl, 'gateway_timeouts_total', { kind: 'response_idle' }, CONNECTIONS);
  });
});
