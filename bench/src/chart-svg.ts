// results/latest.svg: the run as grouped bars, no chart library. One row per upstream ×
// connection count, three panels each with its own scale — p50, p99, the proxy's CPU per
// request — and in every panel a bar group per path: direct, nginx, Node floor, gateway (cached
// tokens). Own scales, because a p99 ten times the p50 would flatten the p50 bars that matter.
// Every bar carries its value; a missing figure says so.
import type { SummaryRow, TargetId, UpstreamId } from './results.js';

export const CHART_PATHS: readonly TargetId[] = ['direct', 'nginx', 'floor', 'gateway'];

export const PATH_NAMES: Readonly<Partial<Record<TargetId, string>>> = { direct: 'direct', nginx: 'nginx', floor: 'Node floor', gateway: 'gateway' };
const PATH_COLOURS: Readonly<Partial<Record<TargetId, string>>> = { direct: '#6b7280', nginx: '#16a34a', floor: '#2563eb', gateway: '#ea580c' };
const UPSTREAM_NAMES: Readonly<Record<UpstreamId, string>> = { 'upstream-todo': 'upstream-todo', fastapi: 'FastAPI' };

const WIDTH = 1040;
const HEADER = 96;
const ROW = 250;
const PLOT_TOP = 34; // row title above the plot
const PLOT_HEIGHT = 160;
const PANEL_WIDTH = 270;
const PANEL_X = [70, 410, 750] as const;

export interface ChartInput {
  readonly title: string;
  readonly subtitle: string;
  readonly summary: readonly SummaryRow[];
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** µs as people read them: 417 µs, 4.97 ms, 48.9 ms. */
export function fmtMicros(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  const ms = us / 1000;
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

/** Axis labels: 0, 250 µs, 2.5 ms, 40 ms. */
export function fmtTick(us: number): string {
  return us < 1000 ? `${Math.round(us)} µs` : `${Number((us / 1000).toFixed(2))} ms`;
}

/** A round axis maximum and its step (1, 2, 2.5 or 5 × 10^k), about four gridlines. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= rough)!;
  return { top: Math.ceil(max / step) * step, step };
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

interface Group {
  readonly path: TargetId;
  readonly value: number | null;
}

interface PanelSpec {
  readonly title: string;
  readonly pick: (r: SummaryRow) => number | null;
  readonly fmt: (v: number) => string;
  readonly tick: (v: number) => string;
}

const PANELS: readonly PanelSpec[] = [
  { title: 'p50 latency', pick: (r) => r.p50Us.median, fmt: fmtMicros, tick: fmtTick },
  { title: 'p99 latency', pick: (r) => r.p99Us.median, fmt: fmtMicros, tick: fmtTick },
  { title: 'proxy CPU per request (direct: none)', pick: (r) => r.proxyCpuUsPerReq?.median ?? null, fmt: (v) => `${v.toFixed(v < 10 ? 1 : 0)} µs`, tick: (v) => `${Number(v.toFixed(1))} µs` },
];

/** One panel: axis, gridlines and a `<g class="bar-group">` per path. */
function panel(x: number, y: number, spec: PanelSpec, groups: readonly Group[]): string {
  const width = PANEL_WIDTH;
  const fmt = spec.fmt;
  const title = spec.title;
  const values = groups.map((g) => g.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const { top, step } = niceScale(Math.max(0, ...values));
  const yOf = (v: number) => y + PLOT_HEIGHT - (v / top) * PLOT_HEIGHT;
  const out = [`<g class="panel" data-title="${escapeXml(title)}">`, text(x, y - 10, title, 'class="panel-title"')];
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(`<line x1="${x}" x2="${x + width}" y1="${yOf(v).toFixed(1)}" y2="${yOf(v).toFixed(1)}" class="grid"/>`);
    out.push(text(x - 6, yOf(v) + 4, v === 0 ? '0' : spec.tick(v), 'class="tick" text-anchor="end"'));
  }
  const groupWidth = width / Math.max(1, groups.length);
  const barWidth = Math.min(44, groupWidth * 0.6);
  groups.forEach((g, gi) => {
    const cx = x + gi * groupWidth + groupWidth / 2;
    out.push(`<g class="bar-group" data-path="${g.path}">`);
    if (g.value === null || !Number.isFinite(g.value)) {
      out.push(text(cx, y + PLOT_HEIGHT - 6, '–', 'class="value" text-anchor="middle"'));
    } else {
      const by = yOf(g.value);
      out.push(`<rect x="${(cx - barWidth / 2).toFixed(1)}" y="${by.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y + PLOT_HEIGHT - by).toFixed(1)}" fill="${PATH_COLOURS[g.path] ?? '#000'}"><title>${escapeXml(`${PATH_NAMES[g.path]}, ${title}: ${fmt(g.value)}`)}</title></rect>`);
      out.push(text(cx, by - 4, fmt(g.value), 'class="value" text-anchor="middle"'));
    }
    out.push(text(cx, y + PLOT_HEIGHT + 16, PATH_NAMES[g.path] ?? g.path, 'class="path-label" text-anchor="middle"'));
    out.push('</g>');
  });
  out.push(`<line x1="${x}" x2="${x + width}" y1="${y + PLOT_HEIGHT}" y2="${y + PLOT_HEIGHT}" class="axis"/>`, '</g>');
  return out.join('\n');
}

function legend(y: number): string {
  const out = ['<g class="legend">'];
  let x = PANEL_X[0];
  for (const path of CHART_PATHS) {
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${PATH_COLOURS[path]}"/>`, text(x + 17, y, PATH_NAMES[path]!));
    x += 110;
  }
  out.push(text(x + 10, y, 'each panel has its own scale; lower is better', 'class="subtitle"'), '</g>');
  return out.join('\n');
}

/** The whole chart. Rows: each upstream × connection count found in the summary, in order. */
export function renderChartSvg(input: ChartInput): string {
  const rows = [...new Set(input.summary.map((r) => `${r.upstream}\u0000${r.connections}`))]
    .map((k) => { const [u, c] = k.split('\u0000'); return { upstream: u as UpstreamId, connections: Number(c) }; })
    .sort((a, b) => (a.upstream === b.upstream ? a.connections - b.connections : 0));
  const height = HEADER + rows.length * ROW + 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    '<style>.title{font-size:18px;font-weight:600}.subtitle{fill:#4b5563}.row-title{font-size:14px;font-weight:600}.panel-title{fill:#374151}.tick{fill:#6b7280;font-size:10px}.value{font-size:10px;fill:#111827}.path-label{font-size:12px}.grid{stroke:#e5e7eb}.axis{stroke:#9ca3af}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(20, 28, input.title, 'class="title"'),
    text(20, 48, input.subtitle, 'class="subtitle"'),
    legend(76),
  ];
  rows.forEach((row, i) => {
    const y = HEADER + i * ROW;
    const conns = `${row.connections} connection${row.connections === 1 ? '' : 's'}`;
    out.push(`<g class="row" data-upstream="${row.upstream}" data-connections="${row.connections}">`, text(20, y + 14, `${UPSTREAM_NAMES[row.upstream]}, ${conns}`, 'class="row-title"'));
    const present = CHART_PATHS.flatMap((path) => {
      const r = input.summary.find((s) => s.upstream === row.upstream && s.connections === row.connections && s.target === path);
      return r ? [{ path, r }] : [];
    });
    PANELS.forEach((spec, pi) => {
      out.push(panel(PANEL_X[pi]!, y + PLOT_TOP + 14, spec, present.map(({ path, r }) => ({ path, value: spec.pick(r) }))));
    });
    out.push('</g>');
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
