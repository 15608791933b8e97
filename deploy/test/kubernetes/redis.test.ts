// Redis keeps revocations across restarts and is reachable by the gateway only.
import { describe, expect, it } from 'vitest';
import { find, loadManifests } from '../support/manifests.js';
import { containerPortNumber, onlyContainer, podLabels, selects } from '../support/pods.js';

const manifests = loadManifests();
const redis = find(manifests, 'StatefulSet', 'redis');
const container = onlyContainer(redis);
const startCommand = (container.command as string[]).join(' ');

describe('Redis', () => {
  it('persists to a volume claim, with the append-only file', () => {
    const mount = (container.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.mountPath === '/data');
    const claims = (redis.doc.spec.volumeClaimTemplates as { metadata: { name: string } }[]).map((c) => c.metadata.name);
    expect(claims).toContain(mount?.name);
    expect(startCommand).toMatch(/--dir \/data\b/);
    expect(startCommand).toMatch(/--appendonly yes\b/);
  });

  it('never evicts keys (a revocation must not silently disappear)', () => {
    expect(startCommand).toMatch(/--maxmemory-policy noeviction\b/);
  });

  it('requires the password from the Secret', () => {
    expect(startCommand).toContain('--requirepass "$REDIS_PASSWORD"');
    const env = container.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
    for (const name of ['REDIS_PASSWORD', 'REDISCLI_AUTH']) {
      expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef).toEqual({ name: 'gateway-secrets', key: 'redis-password' });
    }
  });

  it('has a Service that selects it on the port it listens on', () => {
    const service = find(manifests, 'Service', 'redis').doc.spec;
    expect(selects(service.selector, podLabels(redis))).toBe(true);
    expect(containerPortNumber(container, service.ports[0].targetPort)).toBe(6379);
    expect(redis.doc.spec.serviceName).toBe('redis');
  });

  it('admits only gateway pods', () => {
    const policy = find(manifests, 'NetworkPolicy', 'redis').doc.spec;
    expect(selects(policy.podSelector.matchLabels, podLabels(redis))).toBe(true);
    expect(policy.ingress).toHaveLength(1);
    const [from] = policy.ingress[0].from as { podSelector: { matchLabels: Record<string, string> } }[];
    expect(selects(from!.podSelector.matchLabels, podLabels(find(manifests, 'Deployment', 'gateway')))).toBe(true);
  });
});
