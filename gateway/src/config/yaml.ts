// YAML text → plain values. Strict YAML 1.2 core schema: no custom tags, no merge keys,
// duplicate keys are errors, aliases bounded. Error messages carry line and column but never
// a copy of the source line, because that line might hold a secret.
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { YAML_PATH, indexPath, keyPath, type Problems } from './problems.js';

export interface ParsedYaml {
  readonly value: unknown;
  /** Where each key path starts in the text, so problems can be listed in file order. */
  readonly offsets: ReadonlyMap<string, number>;
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

function collectOffsets(node: unknown, path: string, out: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyPath(path, String(isScalar(pair.key) ? pair.key.value : pair.key));
      const start = startOf(pair.key);
      if (start !== undefined) out.set(key, start);
      collectOffsets(pair.value, key, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const start = startOf(item);
      if (start !== undefined) out.set(indexPath(path, i), start);
      collectOffsets(item, indexPath(path, i), out);
    });
  }
}

/** Returns the parsed value, or undefined after recording the YAML problems. */
export function parseYaml(text: string, p: Problems): ParsedYaml | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    version: '1.2',
    schema: 'core',
    merge: false,
  });
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return '';
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}: `;
  };
  const issues = [...doc.errors, ...doc.warnings];
  for (const issue of issues) {
    // The library's own wording here names its API; say what it means for a config file.
    const message = issue.code === 'MULTIPLE_DOCS' ? 'the file holds several YAML documents ("---"); a config is exactly one' : issue.message;
    p.add(YAML_PATH, `${where(issue.pos[0])}${message}`);
  }
  if (issues.length > 0) return undefined;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // e.g. "Excessive alias count": a billion-laughs document.
    p.add(YAML_PATH, `${err instanceof Error ? err.message : String(err)} (too many alias expansions)`);
    return undefined;
  }
  const offsets = new Map<string, number>();
  collectOffsets(doc.contents, '', offsets);
  return { value, offsets };
}
