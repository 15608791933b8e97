#!/usr/bin/env node
// `npm run loadtest -- --url <gateway> --token <jwt> …` (see loadtest-run.ts and LOADTEST_USAGE).
import { runLoadtest } from './loadtest-run.js';
import { EXIT_USAGE } from './thresholds.js';

runLoadtest(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { process.stderr.write(`loadtest: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = EXIT_USAGE; },
);
