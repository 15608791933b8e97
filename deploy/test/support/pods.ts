// Reading pod templates the way the kubelet does: container settings override the pod's.
import type { Manifest } from './manifests.js';

export type Container = any;
export type PodSpec = any;

export function podSpec(workload: Manifest): PodSpec {
  return workload.doc.spec.template.spec;
}

export function podLabels(workload: Manifest): Record<string, string> {
  return workload.doc.spec.template.metadata.labels;
}

export function onlyContainer(workload: Manifest): Container {
  const containers = podSpec(workload).containers as Container[];
  if (containers.length !== 1) throw new Error(`${workload.name}: expected one container, found ${containers.length}`);
  return containers[0];
}

/** The security settings in force for a container: its own, else the pod's. */
export function effectiveSecurity(workload: Manifest, container: Container): Record<string, any> {
  return { ...(podSpec(workload).securityContext ?? {}), ...(container.securityContext ?? {}) };
}

/** A probe's or Service's port (number or name) as the container port number it means. */
export function containerPortNumber(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return (container.ports as { name?: string; containerPort: number }[] | undefined)?.find((p) => p.name === port)?.containerPort;
}

/** A label selector's matchLabels all hold in `labels`. */
export function selects(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(matchLabels).length > 0 && Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

export function envValue(container: Container, name: string): any {
  return (container.env as { name: string }[] | undefined)?.find((e) => e.name === name);
}
