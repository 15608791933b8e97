// The Grafana dashboard may only chart what the gateway exports: every gateway_* name in every
// PromQL expression (panels, variables, annotations) must be a metric of a real GatewayMetrics
// registry — a histogram's _bucket/_sum/_count series only for a histogram.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/observe/metrics.js';

const DASHBOARD = fileURLToPath(new URL('../../../deploy/grafana/gateway-dashboard.json', import.meta.url));
const SERIES_SUFFIX = /_(bucket|sum|count)$/;
const METRIC_NAME = /\bgateway_[A-Za-z0-9_:]*/g;

interface Panel {
  readonly type?: string;
  readonly title?: string;
  readonly targets?: ReadonlyArray<{ readonly expr?: string }>;
  readonly panels?: readonly Panel[];
  readonly datasource?: { readonly uid?: string };
}

interface Dashboard {
  readonly panels: readonly Panel[];
  readonly templating?: { readonly list: ReadonlyArray<{ readonly type: string; readonly query?: string | { readonly query?: string } }> };
  readonly annotations?: { readonly list: ReadonlyArray<{ readonly expr?: string }> };
}

function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
}

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** Every PromQL expression in the dashboard, with where it is. */
function expressions(dashboard: Dashboard): Array<{ where: string; expr: string }> {
  const found: Array<{ where: string; expr: string }> = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) if (target.expr) found.push({ where: `panel "${panel.title}"`, expr: target.expr });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (query) found.push({ where: 'variable', expr: query });
  }
  for (const annotation of dashboard.annotations?.list ?? []) if (annotation.expr) found.push({ where: 'annotation', expr: annotation.expr });
  return found;
}

async function exportedMetrics(): Promise<Map<string, string>> {
  const metrics = await new GatewayMetrics().registry.getMetricsAsJSON();
  return new Map(metrics.map((m) => [m.name, String(m.type)]));
}

/** Names the expressions use that the gateway does not export, as "where: name". */
function unknownMetrics(dashboard: Dashboard, exported: ReadonlyMap<string, string>): string[] {
  const unknown: string[] = [];
  for (const { where, expr } of expressions(dashboard)) {
    for (const name of expr.match(METRIC_NAME) ?? []) {
      if (exported.has(name)) continue;
      const base = name.replace(SERIES_SUFFIX, '');
      const type = exported.get(base);
      if (base !== name && (type === 'histogram' || type === 'summary')) continue;
      unknown.push(`${where}: ${name}`);
    }
  }
  return unknown;
}

describe('deploy/grafana/gateway-dashboard.json', () => {
  it('references only metrics the gateway exports', async () => {
    const dashboard = loadDashboard();
    expect(expressions(dashboard).length).toBeGreaterThan(10);
    expect(unknownMetrics(dashboard, await exportedMetrics())).toEqual([]);
  });

  it('has balanced brackets in every expression (a cheap guard against a broken panel)', () => {
    const unbalanced = expressions(loadDashboard()).filter(({ expr }) => {
      const stack: string[] = [];
      const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
      for (const c of expr.replace(/"[^"]*"/g, '""')) {
        if ('([{'.includes(c)) stack.push(c);
        else if (c in pairs && stack.pop() !== pairs[c]) return true;
      }
      return stack.length > 0;
    });
    expect(unbalanced).toEqual([]);
  });

  it('charts every panel the operators asked for', () => {
    const exprs = expressions(loadDashboard()).map((e) => e.expr).join('\n');
    for (const needed of ['gateway_requests_total', 'gateway_auth_denials_total', 'gateway_request_duration_seconds_bucket', 'gateway_upstream_duration_seconds_bucket', 'gateway_jwks_fetches_total', 'gateway_token_cache_total', 'gateway_config_reloads_total', 'gateway_config_info', 'gateway_limited_total', 'gateway_timeouts_total', 'gateway_upstream_queued', 'gateway_upstream_in_flight', 'gateway_upstream_retries_total']) {
      expect(exprs).toContain(needed);
    }
    expect(exprs).toMatch(/histogram_quantile\(0\.99, sum by \(le\) \(rate\(gateway_request_duration_seconds_bucket/);
  });

  it('takes its Prometheus data source from a variable, with unique panel ids', () => {
    const dashboard = loadDashboard() as Dashboard & { templating: { list: Array<{ name: string; type: string; query?: unknown }> } };
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
    expect(panels.every((p) => p.datasource?.uid === '${datasource}')).toBe(true);
    const ids = allPanels(dashboard.panels).map((p) => (p as { id?: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('fails on a panel that charts a metric the gateway does not export', async () => {
    const dashboard = loadDashboard();
    const broken: Dashboard = {
      ...dashboard,
      panels: [
        ...dashboard.panels,
        { type: 'timeseries', title: 'typo', targets: [{ expr: 'sum(rate(gateway_requests_totl[5m]))' }] },
        { type: 'timeseries', title: 'not a histogram', targets: [{ expr: 'rate(gateway_requests_total_bucket[5m])' }] },
      ],
    };
    expect(unknownMetrics(broken, await exportedMetrics())).toEqual(['panel "typo": gateway_requests_totl', 'panel "not a histogram": gateway_requests_total_bucket']);
  });
});
