// `gateway init`: an existing API's OpenAPI document → a protected gateway config, in one command.
// Read the document, plan the routes and issuers, render commented YAML, run it through the
// gateway's own parseConfig, and only then write it. See README.md in this folder.
import { lstat } from 'node:fs/promises';
import { INIT_USAGE, parseInitArgs } from './args.js';
import { InitError, refusal } from './init-error.js';
import { planAuth } from './issuers.js';
import { assignOwners } from './owner-guess.js';
import type { InitPlan } from './plan.js';
import { applyPublic, suggestPublicRoutes } from './public-paths.js';
import { readDocument } from './read-document.js';
import { renderYaml } from './render-yaml.js';
import { routesFromPaths } from './routes-from-paths.js';
import { printable, summary } from './summary.js';
import { planUpstream } from './upstream.js';
import { validateRendered, type Env } from './validate.js';
import { writeConfigFile } from './write-output.js';

export { INIT_USAGE } from './args.js';

export interface InitIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Used to fetch an --openapi URL; the global fetch by default. */
  readonly fetch?: typeof fetch;
  /** What ${VAR} references are checked against; process.env by default. */
  readonly env?: Env;
}

/** Exit code: 0 written, 1 refused (nothing written), 2 bad arguments. */
export async function runInit(argv: string[], io: InitIo): Promise<number> {
  try {
    return await init(argv, io);
  } catch (error) {
    if (error instanceof InitError) {
      const lines = [`gateway init: ${error.message}`, ...error.details.map((d) => `  - ${d}`)];
      if (error.exitCode === 2) lines.push('(gateway init --help lists the options)');
      await write(io.stderr, `${lines.map(printable).join('\n')}\n`);
      return error.exitCode;
    }
    await write(io.stderr, `gateway init: unexpected error, nothing was written: ${printable((error as Error)?.message ?? String(error))}\n`);
    return 1;
  }
}

async function init(argv: string[], io: InitIo): Promise<number> {
  const args = parseInitArgs(argv);
  if (args.help) {
    await write(io.stdout, `${INIT_USAGE}\n`);
    return 0;
  }
  const options = args.options;
  // Say so before fetching anything; the writer checks again, atomically.
  if (options.out !== undefined && !options.force && (await lstat(options.out).catch(() => undefined))) {
    throw refusal(`${options.out} already exists; nothing was written (pass --force to overwrite it)`);
  }

  const doc = await readDocument(options.openapi, io.fetch ?? fetch);
  const upstream = planUpstream(doc, options.upstream);
  const { routes, warnings } = routesFromPaths(doc, upstream.basePath);
  warnings.push(...assignOwners(routes, options.ownerParam));
  applyPublic(routes, options.publicPaths);
  suggestPublicRoutes(routes);
  const info = doc.root['info'] as { title?: unknown } | undefined;
  const plan: InitPlan = {
    source: doc.source.label,
    version: doc.version,
    title: typeof info?.title === 'string' ? info.title : undefined,
    upstream,
    auth: planAuth(options),
    routes,
    warnings,
  };

  const text = renderYaml(plan, options.secretEnv);
  const validated = validateRendered(text, plan, io.env ?? process.env);
  if (options.out !== undefined) await writeConfigFile(options.out, text, options.force);
  else await write(io.stdout, text);

  const file = options.out ?? '<file>';
  await write(
    io.stderr,
    summary(plan, {
      configWarnings: validated.warnings,
      unsetRequired: validated.unsetRequired,
      destination: options.out !== undefined ? `wrote ${options.out}` : 'config written to stdout',
      checkCommand: `gateway --check-config ${file}`,
    }),
  );
  return 0;
}

/** Resolves once the stream has taken the text, so a caller may exit right after. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
