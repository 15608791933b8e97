// HAProxy finds every gateway replica and sends traffic only to ready ones; the real haproxy
// binary checks the file (Debian's haproxy: scripts/ensure-system-packages.sh).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rawConfig } from '../support/gateway-config.js';
import { HAPROXY_CFG, composeFile, haproxySections } from '../support/compose.js';
import { readDeployFile } from '../support/manifests.js';

const text = readFileSync(HAPROXY_CFG, 'utf8');
const sections = haproxySections(text);
const config = rawConfig(readDeployFile('compose/gateway.yaml'));
const scratch = mkdtempSync(join(tmpdir(), 'deploy-haproxy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function haproxyCheck(file: string): { status: number | null; output: string } {
  const run = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 10_000 });
  if (run.error) throw new Error(`cannot run haproxy (${run.error.message}): bash scripts/ensure-system-packages.sh`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function section(name: string): string[] {
  const lines = sections.get(name);
  if (!lines) throw new Error(`haproxy.cfg has no "${name}"`);
  return lines;
}

describe('deploy/compose/haproxy.cfg', () => {
  it('is valid for haproxy -c', () => {
    const { status, output } = haproxyCheck(HAPROXY_CFG);
    expect(output).toMatch(/Configuration file is valid/);
    expect(status).toBe(0);
  });

  it('is refused by haproxy -c when broken (the check can fail)', () => {
    const broken = join(scratch, 'broken.cfg');
    writeFileSync(broken, text.replace('balance roundrobin', 'balance round-robin-typo'));
    expect(haproxyCheck(broken).status).not.toBe(0);
  });

  it('discovers the replicas of the compose service through Docker DNS', () => {
    const lines = section('backend gateways');
    const template = lines.find((l) => l.startsWith('server-template '))?.split(/\s+/);
    expect(template).toBeDefined();
    const [, , count, address] = template!;
    expect(count).toMatch(/^1-\d+$/);
    expect(Number(count!.split('-')[1])).toBeGreaterThanOrEqual(3);
    const [host, port] = address!.split(':');
    expect(composeFile().services[host!]).toBeDefined();
    expect(Number(port)).toBe(config.listen.port);
    expect(section('defaults').find((l) => l.startsWith('default-server'))).toMatch(/\bresolvers docker\b.*\bcheck\b|\bcheck\b.*\bresolvers docker\b/);
    expect(section('resolvers docker')).toContain('parse-resolv-conf');
  });

  it('health-checks GET /readyz?exclude=store on the admin port the gateway config sets', () => {
    const lines = section('backend gateways');
    expect(lines.find((l) => l.startsWith('server-template '))).toMatch(new RegExp(`\\bport ${config.admin.port}$`));
    expect(lines).toContain('http-check send meth GET uri /readyz?exclude=store');
    expect(lines).toContain('http-check expect status 200');
  });

  it('listens on the port docker-compose publishes, and strips client forwarding headers', () => {
    const published = composeFile().services['lb']?.ports?.map((p) => Number(p.split(':').at(-1)));
    expect(section('frontend public')).toContain(`bind :${published?.[0]}`);
    for (const header of ['Forwarded', 'X-Forwarded-For', 'X-Real-IP']) expect(section('frontend public')).toContain(`http-request del-header ${header}`);
    expect(section('frontend public')).toContain('option forwardfor');
  });

  it('routes its admin frontend to the gateways\' admin port only', () => {
    expect(section('backend gateway-admin').find((l) => l.startsWith('server-template '))).toMatch(new RegExp(`\\sgateway:${config.admin.port}$`));
  });
});
