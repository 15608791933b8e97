// Collects every problem found in a config, each addressed by its key path, so a user
// fixes them all in one pass instead of one restart per mistake.
import type { ConfigProblem } from './types.js';

/** Special paths for problems that belong to no key. */
export const FILE_PATH = '(file)';
export const YAML_PATH = '(yaml)';
export const ROOT_PATH = '(root)';

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `auth` + `issuers` → `auth.issuers`; odd keys are quoted so the path stays unambiguous. */
export function keyPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** `auth.issuers` + 1 → `auth.issuers[1]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export class Problems {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path: path === '' ? ROOT_PATH : path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path: path === '' ? ROOT_PATH : path, message });
  }

  get count(): number {
    return this.problems.length;
  }
}

/** One line per problem, the format --check-config prints and ConfigError.message carries. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/**
 * A short, safe rendering of a value for a message. Never called for secrets; long values
 * are cut so a pasted blob does not flood the terminal.
 */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What kind of YAML value this is, for "must be X (got Y)" messages. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${show(value)}`;
  return `${typeof value} ${show(value)}`;
}

/** `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``. Also drops a trailing " (entry N)". */
function parentPath(path: string): string {
  const m = /^(.*?)(?:\.[^.[\]]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\]| \(entry \d+\))$/.exec(path);
  return m ? m[1]! : '';
}

/**
 * Problems in the order their keys appear in the file (a missing key sits at its parent's place,
 * a missing top-level key at the end), so a report reads top to bottom like the file.
 */
export function inFileOrder(problems: readonly ConfigProblem[], offsets: ReadonlyMap<string, number>): ConfigProblem[] {
  const rank = (path: string): number => {
    if (path === ROOT_PATH) return -1;
    for (let p = path; p !== ''; p = parentPath(p)) {
      const offset = offsets.get(p);
      if (offset !== undefined) return offset;
    }
    return Number.POSITIVE_INFINITY;
  };
  return problems
    .map((problem, i) => ({ problem, i, at: rank(problem.path) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.problem);
}
