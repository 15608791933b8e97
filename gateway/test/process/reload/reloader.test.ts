// The reloader on its own: one log line per reload, file changes that are not changes ignored,
// triggers that arrive during a reload folded into one more run.
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ConfigMetrics } from '../../../src/observe/config-metrics.js';
import { createLogger } from '../../../src/observe/logger.js';
import { createReloader, type ApplyReload } from '../../../src/process/reload/reloader.js';
import { hs256Config, testEnv } from '../../support/gateway.js';
import { writeTempConfig } from '../../support/spawn-gateway.js';

function setup(apply: ApplyReload) {
  const yaml = hs256Config('http://127.0.0.1:1');
  const file = writeTempConfig(yaml);
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const registry = new Registry();
  const reloader = createReloader({ file, initialText: yaml, log: createLogger('info', sink), metrics: new ConfigMetrics(registry), apply, logLevel: () => 'info', env: testEnv });
  const msgs = () => lines.map((l) => l['msg']);
  return { yaml, file, reloader, lines, msgs, registry };
}

const accept: ApplyReload = async () => ({ ok: true, changed: [], hash: '0123456789abcdef' });

describe('createReloader', () => {
  it('ignores a watched file whose text did not change, but a SIGHUP always reloads', async () => {
    let applied = 0;
    const { reloader, msgs, file, yaml } = setup(async (...args) => (applied++, accept(...args)));
    await reloader.fileChanged();
    expect(applied).toBe(0);
    await reloader.reload('SIGHUP');
    expect(applied).toBe(1);
    writeFileSync(file, `${yaml}\n# edited\n`);
    await reloader.fileChanged();
    await reloader.fileChanged();
    expect(applied).toBe(2);
    expect(msgs()).toEqual(['reloaded', 'reloaded']);
  });

  it('reports a broken file once while it stays broken, and counts each failure', async () => {
    let applied = 0;
    const { reloader, lines, file, registry } = setup(async (...args) => (applied++, accept(...args)));
    writeFileSync(file, 'routes: [\n');
    await reloader.fileChanged();
    await reloader.fileChanged();
    expect(applied).toBe(0);
    expect(lines.filter((l) => l['msg'] === 'reload failed')).toHaveLength(1);
    expect(lines[0]!['problems']).toEqual([expect.stringMatching(/^\(yaml\): /)]);
    expect(lines[0]!['level']).toBe(50);
    expect(await registry.getSingleMetricAsString('gateway_config_reloads_total')).toContain('gateway_config_reloads_total{result="failure"} 1');
  });

  it('folds triggers that arrive during a reload into one more run', async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    let applied = 0;
    const { reloader, msgs } = setup(async (...args) => {
      applied++;
      if (applied === 1) {
        started();
        await new Promise<void>((resolve) => (release = resolve));
      }
      return accept(...args);
    });
    const first = reloader.reload('SIGHUP');
    await firstStarted;
    const folded = [reloader.reload('SIGHUP'), reloader.reload('SIGHUP'), reloader.fileChanged()];
    release();
    await Promise.all([first, ...folded]);
    expect(applied).toBe(2);
    expect(msgs()).toEqual(['reloaded', 'reloaded']);
  });

  it('passes the problems of an apply that refused, by key path', async () => {
    const { reloader, lines } = setup(async () => ({ ok: false, problems: [{ path: 'listen', message: 'cannot change on a reload' }] }));
    await reloader.reload('SIGHUP');
    expect(lines).toEqual([expect.objectContaining({ msg: 'reload failed', trigger: 'SIGHUP', problems: ['listen: cannot change on a reload'] })]);
  });
});
