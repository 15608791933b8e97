// YAML text + environment → a validated, frozen GatewayConfig, or a ConfigError listing every problem.
import { ConfigError } from './config-error.js';
import { deepFreeze } from './freeze.js';
import { Problems, formatProblem, inFileOrder } from './problems.js';
import { readConfig } from './read-config.js';
import { routeProblems } from '../authz/routes.js';
import { warnPublicOverlaps } from './route-overlap.js';
import { substituteEnv, type Env } from './substitute.js';
import type { GatewayConfig } from './types.js';
import { parseYaml } from './yaml.js';

export interface LoadedConfig {
  readonly config: GatewayConfig;
  /** Accepted but risky settings, one line each ("<key.path>: <message>"); worth logging at start. */
  readonly warnings: string[];
}

export function parseConfig(yamlText: string, env: Env): LoadedConfig {
  const p = new Problems();
  const parsed = parseYaml(yamlText, p);
  if (!parsed) throw new ConfigError(p.problems);
  const { tree, fromEnv } = substituteEnv(parsed.value, env, p);
  const config = readConfig(tree, p, fromEnv);
  // The route table's own compiler has the last word (two routes matching the same paths, a table
  // too complex to compile): --check-config must refuse whatever start would refuse.
  if (config && p.count === 0) {
    for (const problem of routeProblems(config.routes)) p.add(problem.path, problem.message);
    warnPublicOverlaps(config.routes, p);
  }
  if (!config || p.count > 0) throw new ConfigError(inFileOrder(p.problems, parsed.offsets));
  return { config: deepFreeze(config), warnings: inFileOrder(p.warnings, parsed.offsets).map(formatProblem) };
}
