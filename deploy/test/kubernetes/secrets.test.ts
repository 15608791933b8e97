// The Secret is created by hand from deploy/README.md: every key the manifests read must be in
// that command, under the same Secret name, and the command must name nothing unused.
import { describe, expect, it } from 'vitest';
import { loadManifests, readDeployFile } from '../support/manifests.js';
import { documentedSecrets } from '../support/secret-docs.js';
import { podSpec } from '../support/pods.js';

function secretKeyRefs(): { secret: string; key: string; where: string }[] {
  return loadManifests()
    .filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')
    .flatMap((m) => [...(podSpec(m).initContainers ?? []), ...podSpec(m).containers].flatMap((c: { name: string; env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }) =>
      (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [{ secret: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key, where: `${m.name}/${c.name} ${e.name}` }] : [])),
    ));
}

describe('the Secret documented in deploy/README.md', () => {
  const documented = documentedSecrets(readDeployFile('README.md'));
  const refs = secretKeyRefs();

  it('is one kubectl create secret command', () => {
    expect(documented).toHaveLength(1);
    expect(documented[0]!.keys.length).toBeGreaterThan(0);
  });

  it('holds every key a secretKeyRef names', () => {
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.secret, ref.where).toBe(documented[0]!.name);
      expect(documented[0]!.keys, ref.where).toContain(ref.key);
    }
  });

  it('documents no key that nothing reads', () => {
    for (const key of documented[0]!.keys) expect(refs.map((r) => r.key), key).toContain(key);
  });

  it('is found by the parser only when it is well formed (the check can fail)', () => {
    expect(documentedSecrets('kubectl create secret generic s \\\n  --from-literal=a=1 \\\n  --from-literal=b="$(x)"\n')).toEqual([{ name: 's', keys: ['a', 'b'] }]);
    expect(documentedSecrets('kubectl create secret generic s\n')).toEqual([]);
  });
});
