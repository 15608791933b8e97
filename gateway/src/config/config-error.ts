// The one error a config load throws: it carries every problem, not just the first.
import { formatProblem } from './problems.js';
import type { ConfigProblem } from './types.js';

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    // One problem per line, "<key.path>: <message>", so the message alone is a usable report.
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}
