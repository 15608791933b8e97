// Every container, gateway and Redis alike, runs unprivileged, read-only and bounded.
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../support/manifests.js';
import { effectiveSecurity, podSpec, type Container } from '../support/pods.js';

const workloads = loadManifests().filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet');
const containers = workloads.flatMap((workload) => {
  const spec = podSpec(workload);
  return [...(spec.initContainers ?? []), ...spec.containers].map((c: Container) => [`${workload.kind}/${workload.name} ${c.name}`, workload, c] as const);
});

describe('container hardening', () => {
  it('covers both workloads', () => {
    expect(workloads.map((w) => w.name).sort()).toEqual(['gateway', 'redis']);
  });

  it.each(containers)('%s runs as a non-root user', (_label, workload, container) => {
    const security = effectiveSecurity(workload, container);
    expect(security.runAsNonRoot).toBe(true);
    expect(Number.isInteger(security.runAsUser) && security.runAsUser > 0).toBe(true);
  });

  it.each(containers)('%s has a read-only root filesystem, no privilege escalation, no capabilities', (_label, workload, container) => {
    const security = effectiveSecurity(workload, container);
    expect(security.readOnlyRootFilesystem).toBe(true);
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(security.privileged ?? false).toBe(false);
    expect(security.capabilities?.drop).toContain('ALL');
    expect(security.capabilities?.add ?? []).toEqual([]);
  });

  it.each(containers)('%s uses the runtime default seccomp profile', (_label, workload, container) => {
    expect(effectiveSecurity(workload, container).seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it.each(containers)('%s has CPU and memory requests and limits', (_label, _workload, container) => {
    for (const kind of ['requests', 'limits']) {
      expect(container.resources?.[kind]?.cpu, kind).toBeDefined();
      expect(container.resources?.[kind]?.memory, kind).toBeDefined();
    }
  });

  it.each(containers)('%s pins an image tag', (_label, _workload, container) => {
    expect(container.image).toMatch(/:[\w.-]+$/);
    expect(container.image).not.toMatch(/:latest$/);
  });

  it.each(workloads.map((w) => [`${w.kind}/${w.name}`, w] as const))('%s shares nothing with the node, the API or other Services', (_label, workload) => {
    const spec = podSpec(workload);
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) expect(spec[key] ?? false, key).toBe(false);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
  });
});
