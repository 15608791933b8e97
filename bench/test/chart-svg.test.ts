import { describe, expect, it } from 'vitest';
import { escapeXml, fmtMicros, fmtTick, niceScale, renderChartSvg } from '../src/chart-svg.js';
import { summarise } from '../src/summary.js';
import { fullRun } from './support/measurements.js';

/** Every tag closed in order, nothing left open: enough XML to trust a browser will draw it. */
function unbalancedTags(svg: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const [, close, name, selfClose] of svg.matchAll(/<(\/?)([a-zA-Z]+)\b[^>]*?(\/?)>/g)) {
    if (selfClose) continue;
    if (!close) stack.push(name!);
    else if (stack.pop() !== name) problems.push(`</${name}> closes the wrong tag`);
  }
  return [...problems, ...stack.map((t) => `<${t}> never closed`)];
}

/** The chunks of `svg` between `<g class="…">` markers of one kind. */
function sections(svg: string, cls: string): string[] {
  return svg.split(`<g class="${cls}"`).slice(1);
}

describe('renderChartSvg', () => {
  const svg = renderChartSvg({ title: 'Bench <run> & co', subtitle: '2 vCPU', summary: summarise(fullRun()) });

  it('is one well-formed svg element with escaped text and no NaN', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(unbalancedTags(svg)).toEqual([]);
    expect(svg).toContain('Bench &lt;run&gt; &amp; co');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('has a row per upstream × connection count, each with a p50, a p99 and a CPU panel', () => {
    const rows = sections(svg, 'row');
    expect(rows).toHaveLength(4);
    expect(svg).toContain('data-upstream="upstream-todo" data-connections="1"');
    expect(svg).toContain('data-upstream="fastapi" data-connections="32"');
    for (const row of rows) expect(sections(row, 'panel').map((p) => /data-title="([^"]+)"/.exec(p)![1])).toEqual(['p50 latency', 'p99 latency', 'proxy CPU per request (direct: none)']);
  });

  it('draws one labelled bar group per path in every panel, with the value on the bar', () => {
    for (const panel of sections(svg, 'panel')) {
      const groups = sections(panel, 'bar-group');
      expect(groups.map((g) => /data-path="([^"]+)"/.exec(g)![1])).toEqual(['direct', 'nginx', 'floor', 'gateway']);
      for (const g of groups) expect(g).toMatch(/class="path-label"[^>]*>(direct|nginx|Node floor|gateway)</);
    }
    const [p50, p99] = sections(svg, 'panel');
    const gatewayP50 = sections(p50!, 'bar-group')[3]!;
    expect(gatewayP50.match(/<rect /g)).toHaveLength(1);
    expect(gatewayP50).toContain('gateway, p50 latency: 220 µs');
    expect(gatewayP50).toContain('>220 µs<');
    expect(sections(p99!, 'bar-group')[3]).toContain('>880 µs<');
  });

  it('marks a figure that does not exist (direct has no proxy CPU) and has a legend of the paths', () => {
    const cpuDirect = sections(sections(svg, 'panel')[2]!, 'bar-group')[0]!;
    expect(cpuDirect).not.toContain('<rect');
    expect(cpuDirect).toContain('>–<');
    expect(svg).toContain('>50 µs<');
    const legend = svg.slice(svg.indexOf('<g class="legend">'), svg.indexOf('</g>', svg.indexOf('<g class="legend">')));
    for (const label of ['direct', 'nginx', 'Node floor', 'gateway']) expect(legend).toContain(`>${label}<`);
  });
});

describe('chart helpers', () => {
  it('formats microseconds the way people read them', () => {
    expect([fmtMicros(417), fmtMicros(4970), fmtMicros(48890), fmtMicros(123456)]).toEqual(['417 µs', '4.97 ms', '48.9 ms', '123 ms']);
    expect([fmtTick(250), fmtTick(2500), fmtTick(40000)]).toEqual(['250 µs', '2.5 ms', '40 ms']);
  });
  it('picks a round axis top with a 1-2-2.5-5 step', () => {
    expect(niceScale(4459)).toEqual({ top: 6000, step: 2000 });
    expect(niceScale(156)).toEqual({ top: 200, step: 50 });
    expect(niceScale(95000)).toEqual({ top: 100000, step: 25000 });
    expect(niceScale(0)).toEqual({ top: 1, step: 0.25 });
  });
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
