import { parseArgs } from 'node:util';
import { runGateway } from './run.js';
import { ConfigError } from '../config/index.js';
import { loadConfig } from '../gateway-config.js';
import { INIT_USAGE, runInit } from './init/index.js';
import { ADMIN_API_OFF_NOTE } from '../observe/admin-config.js';
import { flushStdout } from '../observe/logger.js';
import { fairShareSummary } from '../pipeline/limits/summary.js';
import { EXPLAIN_USAGE, runExplain } from './explain/index.js';

const USAGE = `Usage:
  gateway [--config FILE] [--watch]
      start the gateway (FILE defaults to $GATEWAY_CONFIG, then config/gateway.yaml).
      SIGHUP reloads FILE; --watch also reloads it when it changes. A reload that fails
      (any problem, or a change to listen, admin, workers, store or revocation) keeps the running config.
  gateway --check-config FILE    validate FILE, list every problem by its key path, exit 0 or 1
${EXPLAIN_USAGE}
  gateway init --openapi URL|FILE [options]   write a gateway config from an OpenAPI 3.x document
  gateway --help

${INIT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'init') return runInit(argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
  if (argv[0] === 'explain') {
    return runExplain(argv.slice(1), {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      stdin: readStdin,
    });
  }
  let args;
  try {
    args = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, 'check-config': { type: 'string' }, watch: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const check = args.values['check-config'];
  if (check !== undefined) return checkConfig(check);
  const file = args.values.config ?? process.env['GATEWAY_CONFIG'] ?? 'config/gateway.yaml';
  return runGateway(file, { watch: args.values.watch ?? false });
}

function checkConfig(file: string): number {
  try {
    const { config, warnings } = loadConfig(file);
    for (const warning of warnings) process.stdout.write(`warning: ${warning}\n`);
    if (config.adminToken === undefined) process.stdout.write(`note: ${ADMIN_API_OFF_NOTE}\n`);
    process.stdout.write(`limits: ${fairShareSummary(config)}\n`);
    process.stdout.write(`${file}: OK\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${file}: ${error.problems.length} problem(s)\n`);
      for (const problem of error.problems) process.stderr.write(`  ${problem.path}: ${problem.message}\n`);
      return 1;
    }
    process.stderr.write(`${file}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  // Exit explicitly: after a graceful stop nothing is left to wait for, and a stray handle must not keep us up.
  // The log's last batch is awaited first: process.exit() would cut a write on its way.
  (code) => flushStdout().then(() => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`gateway: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
