// ${VAR} and ${VAR:-default} in parsed string values. Substituting after YAML parsing means a
// secret containing '#', ': ' or a newline stays one intact string, and a value is never
// re-scanned: a secret that itself contains "${X}" is taken literally.
import { indexPath, keyPath, type Problems } from './problems.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Stands in for a value whose substitution failed. The failure is already reported at its path,
 * so readers skip it instead of adding a second, confusing "must not be empty".
 */
export const UNRESOLVED: unique symbol = Symbol('unresolved ${...} reference');

export interface Substituted {
  readonly tree: unknown;
  /** Key paths whose value contained at least one ${...} reference. */
  readonly fromEnv: ReadonlySet<string>;
}

const REFERENCE = /\$\{([^}]*)\}/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

function substituteString(text: string, path: string, env: Env, problems: Problems): string | typeof UNRESOLVED {
  let failed = false;
  const out = text.replace(REFERENCE, (_whole, inner: string, offset: number) => {
    const m = INNER.exec(inner);
    if (!m) {
      failed = true;
      // The reference is not echoed: it may sit inside a secret written in the file.
      problems.add(path, `malformed \${...} reference at character ${offset + 1}; write \${NAME} or \${NAME:-default} (NAME: letters, digits, _)`);
      return '';
    }
    const [, name = '', fallback] = m;
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    failed = true;
    // A default for a secret would put the secret in the file: point at how to make one instead.
    const hint = path.endsWith('.secret') ? 'set it to a random secret (make one with: openssl rand -base64 32)' : `set it, or give a default with \${${name}:-default}`;
    problems.add(path, `environment variable ${name} is ${value === undefined ? 'not set' : 'empty'}; ${hint}`);
    return '';
  });
  // Whatever is left of a "${" had no closing brace (references are removed above).
  const rest = text.replace(REFERENCE, '');
  if (rest.includes('${')) {
    failed = true;
    problems.add(path, 'unclosed "${" reference; write ${NAME} or ${NAME:-default}');
  }
  return failed ? UNRESOLVED : out;
}

export function substituteEnv(tree: unknown, env: Env, problems: Problems): Substituted {
  const fromEnv = new Set<string>();
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return value;
      fromEnv.add(path);
      return substituteString(value, path, env, problems);
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, indexPath(path, i)));
    if (value !== null && typeof value === 'object') {
      // A null-prototype copy: a "__proto__" key in the YAML stays an ordinary (unknown) key.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, keyPath(path, k));
      return out;
    }
    return value;
  };
  return { tree: walk(tree, ''), fromEnv };
}
