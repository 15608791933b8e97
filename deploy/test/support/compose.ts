// docker-compose.yml and HAProxy's config, read for their structure.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEPLOY_DIR } from './manifests.js';

export const REPO_DIR = `${DEPLOY_DIR}../`;
export const HAPROXY_CFG = `${DEPLOY_DIR}compose/haproxy.cfg`;

export interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  networks?: string[];
  command?: string[];
  container_name?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean }>;
}

export function composeFile(): ComposeFile {
  return parse(readFileSync(`${REPO_DIR}docker-compose.yml`, 'utf8'), { uniqueKeys: true }) as ComposeFile;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** "./deploy/compose/x:/etc/x:ro" → { source, target } for a bind mount of a repo file. */
export function bindMount(svc: ComposeService, target: string): string | undefined {
  const volume = svc.volumes?.find((v) => v.split(':')[1] === target);
  return volume?.split(':')[0];
}

/** HAProxy's config as sections ("backend gateways") of directive lines, comments dropped. */
export function haproxySections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '');
    if (!line.trim()) continue;
    if (/^\S/.test(line)) sections.set(line.trim(), (current = []));
    else current?.push(line.trim());
  }
  return sections;
}
