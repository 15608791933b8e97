import { describe, expect, it } from 'vitest';
import { median, ratio, spread } from '../src/stats.js';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the input order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('ignores values that are not finite and is NaN for nothing', () => {
    expect(median([Number.NaN, 7, Number.POSITIVE_INFINITY])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('spread', () => {
  it('gives median, min, max and the count', () => {
    expect(spread([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
  });
  it('is all NaN with n = 0 for no rounds', () => {
    const s = spread([]);
    expect(s.n).toBe(0);
    expect(s.median).toBeNaN();
  });
});

describe('ratio', () => {
  it('divides', () => {
    expect(ratio(110, 100)).toBeCloseTo(1.1, 10);
  });
  it('is NaN rather than Infinity or 0 when it cannot be stated', () => {
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});
