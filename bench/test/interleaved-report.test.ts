import { describe, expect, it } from 'vitest';
import type { InterleavedSummary } from '../src/interleaved.js';
import { addedRatio, addedUs, renderInterleaved, type InterleavedRound } from '../src/interleaved-report.js';

const at = (p50: number, failed = 0): InterleavedSummary => ({ requests: 100, sent: 120, failed, latencyUs: { p50, p90: p50 + 10, p99: p50 + 20 } });
const round = (direct: number, nginx: number, floor: number, gateway: number, failed = 0): InterleavedRound => ({
  summaries: { direct: at(direct), nginx: at(nginx), floor: at(floor), gateway: at(gateway, failed) },
  cpuUs: { nginx: 40, floor: 100, gateway: 150 },
});

describe('the interleaved figures', () => {
  it('measure what a proxy adds against direct of the same round, and the gateway against a reference of that round', () => {
    const r = round(100, 130, 160, 190);
    expect(addedUs(r, 'gateway')).toBe(90);
    expect(addedRatio(r, 'gateway', 'floor')).toBeCloseTo(1.5, 10);
    expect(addedRatio(r, 'gateway', 'nginx')).toBeCloseTo(3, 10);
  });

  it('state no ratio they cannot: a missing target, or a reference that adds nothing', () => {
    expect(addedRatio({ summaries: { direct: at(100), gateway: at(150) }, cpuUs: {} }, 'gateway', 'nginx')).toBeNaN();
    expect(addedRatio(round(100, 100, 160, 190), 'gateway', 'nginx')).toBeNaN();
  });

  it('report the median of the per-round ratios, not a ratio of medians, and name suspect answers', () => {
    // Per round the gateway adds 1.5×, 1.2× and 1.625× the floor's: the median is 1.5×. The
    // medians of the added figures (gateway 65, floor 40) would pair rounds 3 and 1: 1.625×.
    const rounds = [round(100, 120, 140, 160), round(200, 260, 300, 320), round(150, 180, 190, 215, 3)];
    const text = renderInterleaved(rounds, ['direct', 'nginx', 'floor', 'gateway'], '### heading');
    expect(text).toContain('| 1 | 100 | 120 | 140 | 160 | +20 | +40 | +60 | 1.500× | 3.000× | 40.0 | 100.0 | 150.0 |');
    expect(text).toContain('gateway ÷ floor **1.500×**');
    expect(text).toContain('gateway p50 added 65 µs');
    expect(text).toContain('Answers outside 2xx (the figures are suspect): gateway 3.');
  });
});
