// Checks a manifest the way `kubectl apply --validate=strict` would, without a cluster: the
// Kubernetes OpenAPI schema (kubernetes-models' compiled validators) plus unknown fields, which
// the schema alone lets through (a misspelt `readOnlyRootFileSytem` would otherwise pass).
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';

interface ModelClass {
  new (data: never): { toJSON(): unknown };
  prototype: { validate(): void };
}

const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
};

interface Reads {
  /** "/spec/replicas": a property the validator looked up, i.e. one the schema defines. */
  readonly read: Set<string>;
  /** Objects the validator enumerated: maps (labels, ConfigMap data), where any key is fine. */
  readonly enumerated: Set<string>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A copy of `value` that records what the validator reads. The compiled validators look up each
 * property the schema defines and enumerate only free-form maps, so a key that is neither read
 * nor inside an enumerated object is one the schema does not know.
 */
function watched(value: Json, path: string, reads: Reads): Json {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item, i) => watched(item, `${path}/${i}`, reads));
  const copy: Record<string, Json> = {};
  for (const [key, child] of Object.entries(value)) copy[key] = watched(child, `${path}/${key}`, reads);
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === 'string') reads.read.add(`${path}/${key}`);
      return Reflect.get(target, key, receiver) as unknown;
    },
    ownKeys(target) {
      reads.enumerated.add(path);
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(value: Json, path: string, reads: Reads, out: string[]): string[] {
  if (value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, `${path}/${i}`, reads, out));
    return out;
  }
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}/${key}`;
    if (!reads.enumerated.has(path) && !reads.read.has(at)) out.push(`${at || '/'}: unknown field`);
    unknownFields(child, at, reads, out);
  }
  return out;
}

/** Every problem with one manifest document; empty when it is valid. */
export function manifestProblems(doc: unknown): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return ['a manifest must be a mapping'];
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  const Model = MODELS[`${String(apiVersion)}/${String(kind)}`];
  if (!Model) return [`no schema for apiVersion ${String(apiVersion)}, kind ${String(kind)} (known: ${Object.keys(MODELS).join(', ')})`];
  const plain = new Model(doc as never).toJSON() as Json;
  const reads: Reads = { read: new Set(), enumerated: new Set() };
  try {
    Model.prototype.validate.call(watched(plain, '', reads));
  } catch (error) {
    // The validator stops at the first error, so unread fields mean nothing yet.
    return [(error as Error).message];
  }
  return unknownFields(plain, '', reads, []);
}
