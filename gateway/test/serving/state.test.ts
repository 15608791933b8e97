// What a successor state reuses from its predecessor, decided by comparing config sections.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway-config.js';
import { buildState, type ServingState } from '../../src/serving/state.js';
import { hs256Config, testEnv } from '../support/gateway.js';

const states: ServingState[] = [];
afterEach(async () => {
  await Promise.all(states.splice(0).map((s) => s.close()));
});

function build(yaml: string, previous?: ServingState): ServingState {
  const state = buildState(parseConfig(yaml, testEnv).config, { authnEvents: {}, revocations: { check: () => undefined }, rateStore: {} }, previous);
  states.push(state);
  return state;
}

describe('buildState with a predecessor', () => {
  it('reuses the upstream pool and the authenticator when their sections are unchanged', () => {
    const first = build(hs256Config('http://127.0.0.1:1'));
    const second = build(hs256Config('http://127.0.0.1:1', 'realm: other'), first);
    expect(second.upstream).toBe(first.upstream);
    expect(second.authenticator).toBe(first.authenticator);
    expect(second.decide).not.toBe(first.decide);
    expect(second.hash).not.toBe(first.hash);
  });

  it('builds a new pool for a changed upstream and a new authenticator for changed auth', () => {
    const first = build(hs256Config('http://127.0.0.1:1'));
    const second = build(hs256Config('http://127.0.0.1:2').replace('audience: https://issuer.test', 'audience: https://other.test'), first);
    expect(second.upstream).not.toBe(first.upstream);
    expect(second.authenticator).not.toBe(first.authenticator);
  });

  it('carries the limits over: in-flight counts always, a rate limiter while its policy is unchanged', () => {
    const limited = (policy: string) => hs256Config('http://127.0.0.1:1', `rate_limit: ${policy}`);
    const first = build(limited('{ requests: 10, per: 1m }'));
    const same = build(`${limited('{ requests: 10, per: 60s }')}\nrealm: other`, first);
    expect(same.limits.carried.subjects).toBe(first.limits.carried.subjects);
    expect(same.limits.carried.addresses).toBe(first.limits.carried.addresses);
    expect(same.limits.carried.limiters).toEqual(first.limits.carried.limiters);
    expect(same.limits.carried.limiters[0]).toBe(first.limits.carried.limiters[0]);
    const changed = build(limited('{ requests: 20, per: 1m }'), same);
    expect(changed.limits.carried.subjects).toBe(first.limits.carried.subjects);
    expect(changed.limits.carried.limiters[0]).not.toBe(first.limits.carried.limiters[0]);
  });

  it('gives the same hash to the same rules, whatever the spelling', () => {
    const a = build(hs256Config('http://127.0.0.1:1'));
    const b = build(`${hs256Config('http://127.0.0.1:1')}\nrealm: gateway\n# a comment\n`);
    expect(b.hash).toBe(a.hash);
  });
});
