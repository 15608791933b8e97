// What every kind of bench run is handed by bench.ts: the options, where each process runs, the
// bench's keys and JWKS, a scratch directory, the gateway's worker count and the log.
import type { BenchOptions } from './bench-options.js';
import type { Placement } from './placement.js';
import type { BenchKeys } from './tokens.js';

export interface RunContext {
  readonly options: BenchOptions;
  readonly placement: Placement;
  readonly keys: BenchKeys;
  readonly jwksUrl: string;
  readonly workDir: string;
  readonly workers: number;
  readonly log: (line: string) => void;
}
