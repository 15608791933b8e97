// Reads V8 .cpuprofile files (node --cpu-prof) and ranks functions by self time: the time the
// CPU was sampled inside the function itself, not its callees. Summed per function name + script
// URL over every file given (one per gateway process), so node:cluster workers add up.

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber?: number;
}

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: CallFrame }>;
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly functionName: string;
  readonly url: string;
  /** 1-based line of the first frame seen under this name + URL. */
  readonly line: number;
  readonly selfUs: number;
}

export interface SelfTimeReport {
  readonly rows: readonly SelfTime[];
  /** Everything sampled, µs. */
  readonly totalUs: number;
  /** Everything but (idle): the time the process was actually on a CPU or in GC. */
  readonly busyUs: number;
}

export function parseCpuProfile(json: string): CpuProfile {
  const p = JSON.parse(json) as Partial<CpuProfile>;
  if (!Array.isArray(p.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas) || typeof p.endTime !== 'number' || typeof p.startTime !== 'number') {
    throw new Error('not a V8 CPU profile (nodes, samples, timeDeltas, startTime, endTime)');
  }
  return p as CpuProfile;
}

/** A time window in V8's clock: CLOCK_MONOTONIC µs, the clock of process.hrtime in any process. */
export interface Window {
  readonly fromUs: number;
  readonly toUs: number;
}

/**
 * Self time per function name + URL over all profiles. As Chrome DevTools does, sample i lasts
 * until sample i+1 (timeDeltas[i+1]); the last sample lasts until endTime. With a `window`, only
 * samples taken inside it count (the load run, not start-up and warm-up).
 */
export function selfTimes(profiles: readonly CpuProfile[], window?: Window): SelfTimeReport {
  const byKey = new Map<string, { functionName: string; url: string; line: number; selfUs: number }>();
  let totalUs = 0;
  let idleUs = 0;
  for (const profile of profiles) {
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    let at = profile.startTime;
    const stamps = profile.timeDeltas.map((d) => (at += d));
    profile.samples.forEach((nodeId, i) => {
      const duration = i + 1 < stamps.length ? stamps[i + 1]! - stamps[i]! : profile.endTime - stamps[i]!;
      if (!(duration > 0)) return;
      if (window && (stamps[i]! < window.fromUs || stamps[i]! > window.toUs)) return;
      const frame = frames.get(nodeId);
      const functionName = frame?.functionName || '(anonymous)';
      const url = frame?.url ?? '';
      const key = `${functionName}\u0000${url}`;
      const entry = byKey.get(key) ?? { functionName, url, line: (frame?.lineNumber ?? -1) + 1, selfUs: 0 };
      entry.selfUs += duration;
      byKey.set(key, entry);
      totalUs += duration;
      if (functionName === '(idle)') idleUs += duration;
    });
  }
  const rows = [...byKey.values()].sort((a, b) => b.selfUs - a.selfUs);
  return { rows, totalUs, busyUs: totalUs - idleUs };
}

/** The top `n` (idle excluded) as a markdown table; `shorten` trims long script URLs. */
export function renderTopSelfTime(report: SelfTimeReport, n = 25, shorten: (url: string) => string = (u) => u): string {
  const pct = (us: number) => (report.busyUs > 0 ? `${((100 * us) / report.busyUs).toFixed(1)}%` : '–');
  const lines = [
    `Self time, top ${n} of ${report.rows.length} functions; busy ${(report.busyUs / 1000).toFixed(0)} ms of ${(report.totalUs / 1000).toFixed(0)} ms sampled (the rest idle); % of busy.`,
    '',
    '| # | self ms | % busy | function | where |',
    '| ---: | ---: | ---: | --- | --- |',
  ];
  report.rows.filter((r) => r.functionName !== '(idle)').slice(0, n).forEach((r, i) => {
    const where = r.url ? `${shorten(r.url)}${r.line > 0 ? `:${r.line}` : ''}` : '';
    lines.push(`| ${i + 1} | ${(r.selfUs / 1000).toFixed(1)} | ${pct(r.selfUs)} | \`${r.functionName.replace(/\|/g, '\\|')}\` | ${where.replace(/\|/g, '\\|')} |`);
  });
  return lines.join('\n');
}
