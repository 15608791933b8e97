// The generated text goes through the gateway's own parseConfig before anything is written:
// whatever it refuses, init refuses, so --check-config accepts every file init writes.
import { ConfigError, type RouteConfig } from '../../config/index.js';
import { parseConfig } from '../../gateway-config.js';
import { envReferences } from './env-references.js';
import { refusal } from './init-error.js';
import type { InitPlan } from './plan.js';
import { configTree } from './render-yaml.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Validated {
  /** The config's own warnings ("<key.path>: <message>"). */
  readonly warnings: readonly string[];
  /** Required variables that this shell does not set: validated with a stand-in, must be set before start. */
  readonly unsetRequired: readonly string[];
}

/** Long enough for every HMAC algorithm, and obviously not a real secret if it ever showed up. */
const STAND_IN_SECRET = 'gateway-init-stand-in-secret-never-used-0123456789abcdefghijklmnopq';

export function validateRendered(text: string, plan: InitPlan, env: Env): Validated {
  const stands: Record<string, string> = {};
  const unsetRequired: string[] = [];
  for (const ref of envReferences(configTree(plan))) {
    const value = env[ref.name];
    if (ref.fallback !== undefined || (value !== undefined && value !== '')) continue;
    if (!plan.auth.requiredEnv.includes(ref.name)) continue; // --check-config would refuse it: so does init, below
    stands[ref.name] = STAND_IN_SECRET;
    unsetRequired.push(ref.name);
  }
  let loaded;
  try {
    loaded = parseConfig(text, { ...env, ...stands });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw refusal(
      "the generated config does not pass the gateway's own checks (the same as --check-config); nothing was written",
      error.problems.map((p) => `${p.path}: ${p.message}`),
    );
  }
  const want = plan.routes.map((r) => sameRoute({ path: r.path, methods: r.methods, public: r.public, ...(r.owner !== undefined ? { owner: r.owner } : {}) }));
  const got = loaded.config.routes.map(sameRoute);
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    // Cannot happen unless the renderer is wrong; never write a file that means something else.
    throw refusal('internal error: the rendered routes do not read back as planned; nothing was written');
  }
  return { warnings: loaded.warnings, unsetRequired };
}

function sameRoute(route: RouteConfig): string {
  return JSON.stringify([route.path, [...route.methods], route.owner ?? null, route.public]);
}
