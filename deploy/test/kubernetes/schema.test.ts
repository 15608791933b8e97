// Every manifest kustomize applies is valid against the Kubernetes API schema, with no unknown
// field, and the check itself rejects broken manifests (so a green run means something).
import { describe, expect, it } from 'vitest';
import { manifestProblems } from '../support/kube-schema.js';
import { kustomization, loadManifests, parseDocuments, yamlFilesInKubeDir, find } from '../support/manifests.js';

const manifests = loadManifests();

describe('deploy/kubernetes manifests', () => {
  it('the kustomization lists every manifest in the folder, once', () => {
    const resources = kustomization().resources;
    expect([...resources].sort()).toEqual(yamlFilesInKubeDir());
    expect(new Set(resources).size).toBe(resources.length);
  });

  it('hold the objects the deployment needs', () => {
    expect(manifests.map((m) => `${m.kind}/${m.name}`).sort()).toEqual([
      'ConfigMap/gateway-config',
      'Deployment/gateway',
      'HorizontalPodAutoscaler/gateway',
      'NetworkPolicy/gateway',
      'NetworkPolicy/redis',
      'PodDisruptionBudget/gateway',
      'Service/gateway',
      'Service/redis',
      'StatefulSet/redis',
    ]);
  });

  it.each(manifests.map((m) => [`${m.file}: ${m.kind}/${m.name}`, m] as const))('%s is valid, with no unknown field', (_label, manifest) => {
    expect(manifestProblems(manifest.doc)).toEqual([]);
  });

  it('commit no Secret (it is created by hand, deploy/README.md)', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });
});

describe('the manifest check', () => {
  const deployment = find(manifests, 'Deployment', 'gateway').doc;
  const broken = (change: (doc: any) => void): unknown => {
    const copy = structuredClone(deployment);
    change(copy);
    return copy;
  };

  it('rejects a value of the wrong type', () => {
    const problems = manifestProblems(broken((d) => { d.spec.replicas = 'two'; }));
    expect(problems.join()).toMatch(/spec\/replicas must be integer/);
  });

  it('rejects a missing required field', () => {
    const problems = manifestProblems(broken((d) => { delete d.spec.template.spec.containers; }));
    expect(problems.join()).toMatch(/spec\/template\/spec must have required property containers/);
  });

  it('rejects a misspelt field, which the schema alone accepts', () => {
    const problems = manifestProblems(broken((d) => {
      const sc = d.spec.template.spec.containers[0].securityContext;
      sc.readOnlyRootFileSytem = sc.readOnlyRootFilesystem;
      delete sc.readOnlyRootFilesystem;
    }));
    expect(problems).toEqual(['/spec/template/spec/containers/0/securityContext/readOnlyRootFileSytem: unknown field']);
  });

  it('rejects an unknown top-level field and a wrong kind', () => {
    expect(manifestProblems(broken((d) => { d.specs = {}; }))).toEqual(['/specs: unknown field']);
    expect(manifestProblems(broken((d) => { d.apiVersion = 'apps/v1beta1'; }))[0]).toMatch(/no schema for apiVersion apps\/v1beta1/);
  });

  it('accepts any key inside free-form maps (labels, ConfigMap data)', () => {
    expect(manifestProblems(broken((d) => { d.metadata.labels['example.com/anything'] = 'x'; }))).toEqual([]);
  });

  it('rejects duplicate keys and YAML syntax errors', () => {
    expect(() => parseDocuments('kind: Service\nkind: Service\n', 'dup.yaml')).toThrow(/dup.yaml document 1/);
    expect(() => parseDocuments('a: [1, 2\n', 'bad.yaml')).toThrow(/bad.yaml/);
  });
});
