// THREATS.md family 10 with two gateways sharing one real redis-server: one subject has ONE rate
// budget across both. With Redis down, requests are still answered (never a 500 or a wait on
// Redis): each gateway counts on its own in memory until Redis is back, and says so (metric, log).
import { describe, expect, it } from 'vitest';
import { hs256Config, startTestGateway, testEnv } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { eventually } from '../support/eventually.js';
import { metricValue } from '../support/metrics.js';
import { useRedis, useServer, useUpstream } from '../support/suite.js';
import { call, expectDenial } from '../support/threat-kit.js';

const BUDGET = 4;

const redis = useRedis();
const upstream = useUpstream();
const yaml = () => hs256Config(upstream.url, `store:\n  redis_url: \${REDIS_URL}\nrate_limit: { requests: ${BUDGET}, per: 1m }\n`);
const one = useServer(() => startTestGateway(yaml(), { ...testEnv, REDIS_URL: redis.url }), 'gateway one');
const two = useServer(() => startTestGateway(yaml(), { ...testEnv, REDIS_URL: redis.url }), 'gateway two');

const tasks = async (baseUrl: string, subject: string) => call(baseUrl, { path: `/api/${subject}/tasks`, headers: { authorization: `Bearer ${await hs256Token(subject)}` } });

describe('two gateways, one Redis', () => {
  it('share one budget per subject: requests on either count, the next one on either is 429', async () => {
    const statuses = [];
    for (let i = 0; i < BUDGET; i++) statuses.push((await tasks(i % 2 === 0 ? one.url : two.url, 'alice')).status);
    expect(statuses).toEqual(Array(BUDGET).fill(200));
    expectDenial(await tasks(one.url, 'alice'), 429, 'rate_limited');
    expectDenial(await tasks(two.url, 'alice'), 429, 'rate_limited');
    // Another subject's budget is untouched.
    expect((await tasks(two.url, 'bob')).status).toBe(200);
    expect(await metricValue(one.adminUrl, 'gateway_rate_limit_store_fallbacks_total')).toBe(0);
  });

  it('with Redis down, each gateway counts on its own in memory (never a 500), counted and logged; with Redis back, shared again', async () => {
    await redis.stop();
    const down = [];
    for (const gateway of [one, two]) for (let i = 0; i < BUDGET; i++) down.push((await tasks(gateway.url, 'carol')).status);
    // Each gateway gave carol its own full budget: that is the price of staying up.
    expect(down).toEqual(Array(2 * BUDGET).fill(200));
    expectDenial(await tasks(one.url, 'carol'), 429, 'rate_limited');
    for (const gateway of [one, two]) {
      expect(await metricValue(gateway.adminUrl, 'gateway_rate_limit_store_fallbacks_total')).toBeGreaterThanOrEqual(BUDGET);
      expect(gateway.logs.some((line) => line['level'] === 40 && String(line['msg']).startsWith('rate-limit store unavailable'))).toBe(true);
    }

    await redis.restart();
    // Each gateway's client reconnects on its own: wait until a request is counted in Redis again.
    for (const gateway of [one, two]) {
      await eventually(
        async () => {
          const before = await metricValue(gateway.adminUrl, 'gateway_rate_limit_store_fallbacks_total');
          await tasks(gateway.url, 'probe');
          return (await metricValue(gateway.adminUrl, 'gateway_rate_limit_store_fallbacks_total')) === before;
        },
        (inRedis) => inRedis,
      );
    }
    const statuses = [];
    for (let i = 0; i < BUDGET; i++) statuses.push((await tasks(i % 2 === 0 ? one.url : two.url, 'dave')).status);
    expect(statuses).toEqual(Array(BUDGET).fill(200));
    expectDenial(await tasks(two.url, 'dave'), 429, 'rate_limited');
  });
});
