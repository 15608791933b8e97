import { describe, expect, it } from 'vitest';
import { base, expectProblem, load } from './helpers.js';

describe('shutdown.idle_grace', () => {
  it('defaults to 1s', () => {
    expect(load(base()).config.shutdown).toEqual({ idleGraceMs: 1_000 });
  });

  it('reads a duration up to the 5s keep-alive time-out', () => {
    const tree = base();
    tree.shutdown = { idle_grace: '250ms' };
    expect(load(tree).config.shutdown.idleGraceMs).toBe(250);
    tree.shutdown = { idle_grace: '5s' };
    expect(load(tree).config.shutdown.idleGraceMs).toBe(5_000);
  });

  it.each([
    [{ idle_grace: '6s' }, 'shutdown.idle_grace', /at most 5s, the keep-alive time-out/],
    [{ idle_grace: '0s' }, 'shutdown.idle_grace', /./],
    [{ idle_grace: 'soon' }, 'shutdown.idle_grace', /./],
    [{ idle_grase: '1s' }, 'shutdown.idle_grase', /did you mean "idle_grace"/],
  ])('refuses %j', (shutdown, path, message) => {
    const tree = base();
    tree.shutdown = shutdown;
    expectProblem(tree, path, message);
  });
});
