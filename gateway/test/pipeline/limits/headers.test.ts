// pipeline/limits/headers.ts: the RateLimit-Policy and RateLimit fields as Structured Fields.
import { describe, expect, it } from 'vitest';
import { policyField, sfString, stateField } from '../../../src/pipeline/limits/headers.js';

describe('RateLimit fields', () => {
  it('name a policy as an sf-string with q and w; the state with r and t', () => {
    expect(policyField('default', { requests: 100, perSeconds: 60 })).toBe('"default";q=100;w=60');
    expect(stateField(sfString('default'), 7, 42)).toBe('"default";r=7;t=42');
  });

  it('escape quotes and backslashes and drop what an sf-string cannot carry', () => {
    expect(sfString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(sfString('tâches\r\n')).toBe('"tches"');
  });
});
