// docker-compose.yml scales the gateway behind HAProxy and shares Redis between the replicas.
import { describe, expect, it } from 'vitest';
import { rawConfig, requiredEnv } from '../support/gateway-config.js';
import { bindMount, composeFile, service } from '../support/compose.js';
import { readDeployFile } from '../support/manifests.js';

const compose = composeFile();
const gateway = service(compose, 'gateway');
const lb = service(compose, 'lb');
const redis = service(compose, 'redis');
const configText = readDeployFile('compose/gateway.yaml');
const config = rawConfig(configText);

describe('docker-compose.yml', () => {
  it('publishes no gateway port, so `--scale gateway=N` can start N of them', () => {
    expect(gateway.ports).toBeUndefined();
    expect(gateway.container_name).toBeUndefined();
  });

  it('publishes the load balancer on the public port, on loopback only', () => {
    expect(lb.ports).toContain(`127.0.0.1:${config.listen.port}:8080`);
    for (const port of lb.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    expect(lb.image).toMatch(/^haproxy:[\w.-]+$/);
    expect(bindMount(lb, '/usr/local/etc/haproxy/haproxy.cfg')).toBe('./deploy/compose/haproxy.cfg');
  });

  it('runs the gateways with deploy/compose/gateway.yaml', () => {
    const file = gateway.command?.[gateway.command.indexOf('--config') + 1];
    expect(file).toBeDefined();
    expect(bindMount(gateway, file!)).toBe('./deploy/compose/gateway.yaml');
  });

  it('gives the gateways every ${VAR} their config requires', () => {
    for (const name of requiredEnv(configText)) expect(Object.keys(gateway.environment ?? {}), name).toContain(name);
  });

  it('points REDIS_URL at the redis service over a network only they share', () => {
    const url = new URL(gateway.environment?.['REDIS_URL'] ?? '');
    expect(url.protocol).toBe('redis:');
    expect(url.hostname).toBe('redis');
    expect(compose.services[url.hostname]).toBe(redis);
    expect(redis.ports).toBeUndefined();
    expect(redis.networks).toEqual(['store']);
    expect(compose.networks['store']?.internal).toBe(true);
    const onStore = Object.entries(compose.services).filter(([, s]) => s.networks?.includes('store')).map(([name]) => name);
    expect(onStore.sort()).toEqual(['gateway', 'redis']);
  });

  it('keeps Redis data on a volume with the append-only file', () => {
    expect(redis.volumes?.some((v) => /^[\w-]+:\/data$/.test(v))).toBe(true);
    expect(redis.command?.join(' ')).toMatch(/--appendonly yes\b/);
    expect(redis.command?.join(' ')).toMatch(/--maxmemory-policy noeviction\b/);
  });

  it('puts the load balancer on a network with the gateways, and not on the internal ones', () => {
    expect(lb.networks?.some((n) => gateway.networks?.includes(n))).toBe(true);
    for (const network of lb.networks ?? []) expect(compose.networks[network]?.internal ?? false, network).toBe(false);
  });

  it('runs the new services read-only, without capabilities', () => {
    for (const svc of [gateway, lb, redis]) {
      expect(svc['read_only']).toBe(true);
      expect(svc['cap_drop']).toEqual(['ALL']);
      expect(svc['security_opt']).toContain('no-new-privileges:true');
    }
    expect(redis['user']).toBe('redis');
  });
});
