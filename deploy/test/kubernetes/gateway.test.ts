// The gateway's Kubernetes objects agree with each other and with the config they run.
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../gateway/src/config/index.js';
import { CONFIG_KEY, configMapText, rawConfig, requiredEnv } from '../support/gateway-config.js';
import { find, loadManifests } from '../support/manifests.js';
import { containerPortNumber, envValue, onlyContainer, podLabels, podSpec, selects } from '../support/pods.js';

const manifests = loadManifests();
const deployment = find(manifests, 'Deployment', 'gateway');
const container = onlyContainer(deployment);
const pod = podSpec(deployment);
const config = rawConfig();

describe('gateway Deployment', () => {
  it('runs at least two replicas, and the HPA never goes below that', () => {
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'gateway').doc.spec;
    expect(deployment.doc.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(hpa.minReplicas).toBe(deployment.doc.spec.replicas);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
  });

  it('probes /readyz and /healthz on the admin port the config listens on', () => {
    expect(container.readinessProbe.httpGet.path).toBe('/readyz?exclude=store');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(containerPortNumber(container, container.readinessProbe.httpGet.port)).toBe(config.admin.port);
    expect(containerPortNumber(container, container.livenessProbe.httpGet.port)).toBe(config.admin.port);
  });

  it('binds the admin listener to every interface, where the kubelet can reach it', () => {
    expect(config.admin.host).toBe('0.0.0.0');
  });

  it('declares the public and admin ports the config listens on', () => {
    const ports = (container.ports as { containerPort: number }[]).map((p) => p.containerPort).sort();
    expect(ports).toEqual([config.listen.port, config.admin.port].sort());
  });

  it('passes the ConfigMap file with --config', () => {
    const args = container.args as string[];
    const file = args[args.indexOf('--config') + 1];
    const mount = (container.volumeMounts as { name: string; mountPath: string; readOnly?: boolean }[]).find((m) => file === `${m.mountPath}/${CONFIG_KEY}`);
    expect(mount, `${file} is not inside a volume mount`).toBeDefined();
    expect(mount?.readOnly).toBe(true);
    const volume = (pod.volumes as { name: string; configMap?: { name: string } }[]).find((v) => v.name === mount?.name);
    expect(volume?.configMap?.name).toBe('gateway-config');
    expect(configMapText()).toContain('listen:');
  });

  it('gets every ${VAR} the config requires from its environment', () => {
    const defined = (container.env as { name: string }[]).map((e) => e.name);
    for (const name of requiredEnv(configMapText())) expect(defined, name).toContain(name);
  });

  it('takes the secrets from the Secret, never from a literal', () => {
    for (const name of ['BETTER_AUTH_SECRET', 'GATEWAY_ADMIN_TOKEN', 'REDIS_PASSWORD']) {
      const entry = envValue(container, name);
      expect(entry?.value, name).toBeUndefined();
      expect(entry?.valueFrom?.secretKeyRef?.name, name).toBe('gateway-secrets');
    }
  });

  it('points REDIS_URL at the Redis Service, with the password defined before it', () => {
    const redis = find(manifests, 'Service', 'redis').doc.spec;
    const names = (container.env as { name: string }[]).map((e) => e.name);
    expect(names.indexOf('REDIS_PASSWORD')).toBeLessThan(names.indexOf('REDIS_URL'));
    const url = new URL(String(envValue(container, 'REDIS_URL').value).replace('$(REDIS_PASSWORD)', 'x'));
    expect(url.protocol).toBe('redis:');
    expect(url.hostname).toBe('redis');
    expect(Number(url.port)).toBe(redis.ports[0].port);
    expect(url.password).toBe('x');
    expect(config.store?.redis_url).toBe('${REDIS_URL}');
  });

  it('injects no service links (GATEWAY_PORT=tcp://... would shadow config variables)', () => {
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('gives a stopping pod time to leave the endpoints and drain its requests', () => {
    const [sleep, seconds] = container.lifecycle.preStop.exec.command as string[];
    expect(sleep).toBe('sleep');
    const drainMs = Number(seconds) * 1000 + parseDuration(config.limits.request_timeout);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
  });

  it('never drops below its capacity during a rollout', () => {
    expect(deployment.doc.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });
});

describe('gateway Service, HPA, PDB and NetworkPolicy', () => {
  const labels = podLabels(deployment);

  it('the Service selects the gateway pods and exposes the public port only', () => {
    const service = find(manifests, 'Service', 'gateway').doc.spec;
    expect(selects(service.selector, labels)).toBe(true);
    expect(selects(service.selector, podLabels(find(manifests, 'StatefulSet', 'redis')))).toBe(false);
    const targets = (service.ports as { targetPort: number | string }[]).map((p) => containerPortNumber(container, p.targetPort));
    expect(targets).toEqual([config.listen.port]);
  });

  it('no Service anywhere reaches the admin port', () => {
    for (const service of manifests.filter((m) => m.kind === 'Service')) {
      if (!selects(service.doc.spec.selector, labels)) continue;
      for (const port of service.doc.spec.ports as { targetPort: number | string }[]) {
        expect(containerPortNumber(container, port.targetPort)).not.toBe(config.admin.port);
      }
    }
  });

  it('the HPA scales the Deployment on CPU', () => {
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'gateway').doc.spec;
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name });
    expect(hpa.metrics).toEqual([expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) })]);
    expect(container.resources.requests.cpu).toBeDefined();
  });

  it('the PDB keeps one gateway pod up and selects exactly those pods', () => {
    const pdb = find(manifests, 'PodDisruptionBudget', 'gateway').doc.spec;
    expect(pdb.minAvailable).toBe(1);
    expect(selects(pdb.selector.matchLabels, labels)).toBe(true);
    expect(pdb.minAvailable).toBeLessThan(deployment.doc.spec.replicas);
  });

  it('the NetworkPolicy leaves the public port open and the admin port to labelled pods', () => {
    const policy = find(manifests, 'NetworkPolicy', 'gateway').doc.spec;
    expect(selects(policy.podSelector.matchLabels, labels)).toBe(true);
    const rules = policy.ingress as { from?: unknown[]; ports: { port: number | string }[] }[];
    const rulesFor = (port: number) => rules.filter((r) => r.ports.some((p) => containerPortNumber(container, p.port) === port));
    expect(rulesFor(config.listen.port).map((r) => r.from)).toEqual([undefined]);
    const admin = rulesFor(config.admin.port);
    expect(admin).toHaveLength(1);
    expect(admin[0]?.from).toEqual([{ podSelector: { matchLabels: { 'gateway-admin-access': 'true' } } }]);
  });
});
