// Command line of `npm run bench`. Defaults give a ~5-minute run; --quick about one minute.
import type { TargetId, UpstreamId } from './results.js';

export interface BenchOptions {
  readonly durationSec: number;
  readonly rounds: number;
  readonly warmupSec: number;
  readonly connections: readonly number[];
  readonly upstreams: readonly UpstreamId[];
  readonly targets: readonly TargetId[];
  /** Gateway `workers`; default: one per proxy core. */
  readonly workers: number | undefined;
  readonly outDir: string | undefined;
  readonly updateReadme: boolean;
  readonly quick: boolean;
  /** Scheduling priority for the measured processes (nice value; negative needs root). */
  readonly nice: number | undefined;
  /** How often a round disturbed by other processes is repeated. */
  readonly retryDisturbed: number;
  /** --profile: one CPU-profiled load run of the gateway instead of the rounds. */
  readonly profile: boolean;
  /** What --profile runs under the profiler: the gateway, or the Node floor to compare it with. */
  readonly profileTarget: ProfileTarget;
  /** Where --profile writes the .cpuprofile files; default bench/results/profiles/<time>. */
  readonly profileDir: string | undefined;
  /** --interleaved: the 1-connection latencies of every proxy taken in turn (bench-interleaved.ts) instead of the rounds. */
  readonly interleaved: boolean;
  readonly help: boolean;
}

export type ProfileTarget = 'gateway' | 'floor';
export const PROFILE_TARGETS: readonly ProfileTarget[] = ['gateway', 'floor'];

export const ALL_UPSTREAMS: readonly UpstreamId[] = ['upstream-todo', 'fastapi'];
export const ALL_TARGETS: readonly TargetId[] = [
  'direct', 'nginx', 'floor', 'gateway', 'gateway-revocations', 'floor-uncached-hs256', 'gateway-uncached-hs256', 'floor-uncached-eddsa', 'gateway-uncached-eddsa',
];
/**
 * Measured on upstream-todo only: uncached verification and the revocation list are properties
 * of the proxy, not of the upstream, and upstream-todo is fast enough to show them.
 */
export const TODO_ONLY_TARGETS: readonly TargetId[] = ['gateway-revocations', 'floor-uncached-hs256', 'gateway-uncached-hs256', 'floor-uncached-eddsa', 'gateway-uncached-eddsa'];

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Starts upstream-todo, the FastAPI fixture, nginx, the Node floor and the gateway itself, pinned
to cores, and measures direct vs nginx vs the floor vs the gateway in alternating rounds.

  --quick               about one minute: 1 s rounds, 1 s warm-up (still 3 rounds)
  --duration <s>        seconds per measured round                  [default 5]
  --rounds <n>          alternating rounds (medians need ≥ 3)       [default 3]
  --warmup <s>          warm-up seconds per path before the rounds  [default 2]
  --connections <list>  connection counts, e.g. 1,32                [default 1,32]
  --upstreams <list>    upstream-todo,fastapi                       [default both]
  --targets <list>      direct,nginx,floor,gateway,gateway-revocations (the gateway with 10,001
                        live revocations; upstream-todo only),floor-uncached-hs256,
                        gateway-uncached-hs256,floor-uncached-eddsa,gateway-uncached-eddsa
                                                                    [default all]
  --workers <n>         the gateway's workers                       [default: one per proxy core]
  --out <dir>           where results go                            [default bench/results]
  --retry-disturbed <n> repeat a round up to n times while other processes use more than
                        a quarter of a core during it (keeps the least disturbed)  [default 1]
  --nice <n>            run the measured processes at this nice value, e.g. -10 on a
                        machine shared with other work (negative values need root)
  --no-readme           do not update the table in bench/README.md
  --profile             instead of the rounds: one load run of the gateway (upstream-todo,
                        the largest --connections, default 32; --duration s) under
                        node --cpu-prof, then the top 25 functions by self time
  --profile-dir <dir>   where the .cpuprofile files go [default bench/results/profiles/<time>]
  --profile-target <t>  gateway, or floor: the same run through the Node floor, to set the
                        two profiles side by side                   [default gateway]
  --interleaved         instead of the rounds: 1-connection latency of direct, nginx, the
                        floor and the gateway taken in turn in short bursts by one client
                        (upstream-todo; --rounds rounds of --duration s, after one --warmup
                        pass, 5 s unless told), so a slow spell of the host falls on all alike
  -h, --help            this text`;

export type BenchParse = { readonly ok: true; readonly options: BenchOptions } | { readonly ok: false; readonly error: string };

function list<T extends string>(raw: string, allowed: readonly T[], flag: string): T[] | string {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (items.length === 0 || bad.length) return `${flag}: expected a comma-separated list of ${allowed.join(', ')}`;
  return [...new Set(items)] as T[];
}

export function parseBenchArgs(argv: readonly string[]): BenchParse {
  let quick = false;
  let help = false;
  let updateReadme = true;
  let profile = false;
  let interleaved = false;
  const values = new Map<string, string>();
  const valueFlags = ['--duration', '--rounds', '--warmup', '--connections', '--upstreams', '--targets', '--workers', '--out', '--nice', '--retry-disturbed', '--profile-dir', '--profile-target'];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? [argv[i]!.slice(0, argv[i]!.indexOf('=')), argv[i]!.slice(argv[i]!.indexOf('=') + 1)] : [argv[i]!, undefined];
    if (flag === '--quick') quick = true;
    else if (flag === '--no-readme') updateReadme = false;
    else if (flag === '--profile') profile = true;
    else if (flag === '--interleaved') interleaved = true;
    else if (flag === '-h' || flag === '--help') help = true;
    else if (valueFlags.includes(flag)) {
      const v = inline ?? argv[++i];
      if (v === undefined) return { ok: false, error: `${flag} needs a value` };
      values.set(flag, v);
    } else return { ok: false, error: `unknown argument ${JSON.stringify(flag)}` };
  }
  const num = (flag: string, fallback: number, min: number): number | string => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return Number.isInteger(n) && n >= min ? n : `${flag}: expected an integer ≥ ${min}`;
  };
  const durationSec = num('--duration', quick ? 1 : 5, 1);
  const rounds = num('--rounds', 3, 1);
  // The interleaved run warms every process once, and its first round is cold without ~5 s of it.
  const warmupSec = num('--warmup', quick ? 1 : interleaved ? 5 : 2, 0);
  const workersRaw = values.has('--workers') ? num('--workers', 1, 1) : undefined;
  const retryDisturbed = num('--retry-disturbed', 1, 0);
  for (const v of [durationSec, rounds, warmupSec, workersRaw, retryDisturbed]) if (typeof v === 'string') return { ok: false, error: v };
  const niceRaw = values.get('--nice');
  const nice = niceRaw === undefined ? undefined : Number(niceRaw);
  if (nice !== undefined && !(Number.isInteger(nice) && nice >= -20 && nice <= 19)) return { ok: false, error: '--nice: expected an integer from -20 to 19' };
  const connRaw = values.get('--connections') ?? (profile ? '32' : '1,32');
  const connections = connRaw.split(',').map((s) => Number(s.trim()));
  if (!connections.every((c) => Number.isInteger(c) && c >= 1 && c <= 10_000)) return { ok: false, error: '--connections: expected integers like 1,32' };
  for (const flag of ['--profile-dir', '--profile-target']) if (values.has(flag) && !profile) return { ok: false, error: `${flag} goes with --profile` };
  if (profile && interleaved) return { ok: false, error: '--profile and --interleaved are two different runs: choose one' };
  // The interleaved run has one upstream, one connection per target and its fixed targets.
  const notInterleaved = ['--upstreams', '--targets', '--connections'].find((flag) => values.has(flag));
  if (interleaved && (notInterleaved || quick)) return { ok: false, error: `--interleaved measures upstream-todo at 1 connection through direct, nginx, the floor and the gateway: ${notInterleaved ?? '--quick'} does not apply` };
  const profileTarget = (values.get('--profile-target') ?? 'gateway') as ProfileTarget;
  if (!PROFILE_TARGETS.includes(profileTarget)) return { ok: false, error: `--profile-target: expected ${PROFILE_TARGETS.join(' or ')}` };
  const upstreams = values.has('--upstreams') ? list(values.get('--upstreams')!, ALL_UPSTREAMS, '--upstreams') : [...ALL_UPSTREAMS];
  if (typeof upstreams === 'string') return { ok: false, error: upstreams };
  const targets = values.has('--targets') ? list(values.get('--targets')!, ALL_TARGETS, '--targets') : [...ALL_TARGETS];
  if (typeof targets === 'string') return { ok: false, error: targets };
  if (!targets.includes('direct')) targets.unshift('direct'); // every ratio is against direct
  return {
    ok: true,
    options: {
      durationSec: durationSec as number,
      rounds: rounds as number,
      warmupSec: warmupSec as number,
      connections: [...new Set(connections)].sort((a, b) => a - b),
      upstreams,
      targets,
      workers: workersRaw as number | undefined,
      outDir: values.get('--out'),
      updateReadme,
      quick,
      nice,
      retryDisturbed: retryDisturbed as number,
      profile,
      profileTarget,
      profileDir: values.get('--profile-dir'),
      interleaved,
      help,
    },
  };
}
