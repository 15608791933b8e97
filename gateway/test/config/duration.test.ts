import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['0s', 0],
    ['1.5s', 1500],
    ['1.1s', 1100], // exact: not 1100.0000000000002
    ['0.25m', 15_000],
    ['250', 250], // a bare integer is milliseconds
    [750, 750],
    ['10 s', 10_000],
  ] as const)('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    ['0.5ms', /whole number of milliseconds/],
    ['1.5', /bare number is milliseconds/],
    ['10x', /unknown unit "x"/],
    ['10S', /unknown unit "S"/],
    ['10M', /unknown unit "M"/],
    ['-1s', /must be a duration/],
    ['s', /must be a duration/],
    ['', /must be a duration/],
    ['1e3', /must be a duration/],
    ['10s ', /must be a duration/],
    ['25d', /at most 2147483647 ms/],
  ] as const)('refuses %j', (input, message) => {
    expect(() => parseDuration(input)).toThrow(message);
  });

  it('refuses negative, fractional and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(RangeError);
    expect(() => parseDuration(1.5)).toThrow(RangeError);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => parseDuration(2 ** 31)).toThrow(/at most/);
  });
});

describe('parseSize', () => {
  it.each([
    ['1kb', 1024],
    ['1mb', 1024 * 1024],
    ['1MB', 1024 * 1024],
    ['2Kb', 2048],
    ['0.5kb', 512],
    ['1.5mb', 1_572_864],
    ['1gb', 1024 ** 3],
    ['100b', 100],
    ['4096', 4096],
    [65_536, 65_536],
  ] as const)('%s → %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each([
    ['0.1kb', /whole number of bytes/],
    ['1k', /unknown unit "k"/],
    ['1 mib', /unknown unit "mib"/],
    ['ten', /must be a size/],
    ['1.5', /bare number is bytes/],
  ] as const)('refuses %j', (input, message) => {
    expect(() => parseSize(input)).toThrow(message);
  });
});
