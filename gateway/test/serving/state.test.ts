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
  const state = buildState(parseConfig(yaml, testEnv).config, { authnEvents: {} }, previous);
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

  it('gives the same hash to the same rules, whatever the spelling', () => {
    const a = build(hs256Config('http://127.0.0.1:1'));
    const b = build(`${hs256Config('http://127.0.0.1:1')}\nrealm: gateway\n# a comment\n`);
    expect(b.hash).toBe(a.hash);
  });
});
