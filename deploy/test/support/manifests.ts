// The Kubernetes manifests as kustomize sees them: every file named in kustomization.yaml,
// split into its YAML documents, each parsed strictly (a duplicate key or a syntax error throws).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const DEPLOY_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const KUBE_DIR = `${DEPLOY_DIR}kubernetes/`;

export interface Manifest {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  // Free-form YAML (already schema-checked by kube-schema.ts): tests reach in by path and assert.
  readonly doc: any;
}

export function readDeployFile(relative: string): string {
  return readFileSync(`${DEPLOY_DIR}${relative}`, 'utf8');
}

export function kustomization(): { resources: string[] } & Record<string, unknown> {
  return parse(readFileSync(`${KUBE_DIR}kustomization.yaml`, 'utf8'), { uniqueKeys: true }) as { resources: string[] };
}

export function yamlFilesInKubeDir(): string[] {
  return readdirSync(KUBE_DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
}

export function parseDocuments(text: string, file: string): unknown[] {
  return parseAllDocuments(text, { uniqueKeys: true }).map((document, i) => {
    if (document.errors.length > 0) throw new Error(`${file} document ${i + 1}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJS() as unknown;
  }).filter((doc) => doc !== null);
}

export function loadManifests(): Manifest[] {
  return kustomization().resources.flatMap((file) =>
    parseDocuments(readFileSync(`${KUBE_DIR}${file}`, 'utf8'), file).map((doc) => {
      const { kind, metadata } = doc as { kind: string; metadata: { name: string } };
      return { file, kind, name: metadata.name, doc };
    }),
  );
}

export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in the kustomization`);
  return found;
}
