// Command line of `npm run loadtest -- --url <gateway> --token <jwt> …`. Pure: argv in,
// options or a usage error out, so it is tested without running anything.

export interface LoadtestOptions {
  readonly url: string;
  readonly token: string;
  /** The user the token belongs to; read from the token's `sub` when not given. */
  readonly user: string | undefined;
  readonly durationSec: number;
  readonly connections: number;
  /** Tasks created before the run for get/toggle to act on. */
  readonly seedTasks: number;
  readonly thresholds: Thresholds;
  readonly json: string | undefined;
  readonly cleanup: boolean;
  readonly help: boolean;
}

export interface Thresholds {
  readonly maxP50Us?: number;
  readonly maxP99Us?: number;
  readonly minRps?: number;
}

export const LOADTEST_USAGE = `Usage: npm run loadtest -- --url <gateway-url> --token <jwt> [options]

Sends the benchmark's request mix (list 30%, get 40%, toggle 20%, create 10%) for one user
through your deployment and exits non-zero if any request fails or a threshold is missed.

  --url <url>            base URL of the gateway (or any deployment of the task API)
  --token <jwt>          a Bearer token for the user (or set LOADTEST_TOKEN instead, which keeps
                         it out of your shell history and the process list)
  --user <id>            the user id in the paths (default: the token's "sub")
  --duration <time>      how long to send load: 10s, 1m, 90 (seconds)          [default 10s]
  --connections <n>      concurrent connections                               [default 10]
  --seed-tasks <n>       tasks created first for get/toggle to use            [default 5]
  --max-p50 <time>       fail if p50 latency is above this: 2ms, 500us, 0.8 (ms)
  --max-p99 <time>       fail if p99 latency is above this
  --min-rps <n>          fail if throughput is below n requests/second
  --json <file>          also write the results as JSON
  --no-cleanup           keep the tasks the run created (deleted afterwards by default)
  -h, --help             this text

Exit codes: 0 all requests succeeded and every threshold was met; 1 a request failed or a
threshold was missed; 2 bad arguments or the deployment could not be reached.`;

export type ParseResult = { readonly ok: true; readonly options: LoadtestOptions } | { readonly ok: false; readonly error: string };

/** "10s", "1m", "500ms", "90" (seconds) → seconds. */
export function parseDurationSec(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const sec = unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : n;
  return sec > 0 ? sec : undefined;
}

/** "2ms", "500us", "500µs", "0.8" (ms), "1s" → microseconds. */
export function parseLatencyUs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const us = unit === 'us' || unit === 'µs' ? n : unit === 's' ? n * 1e6 : n * 1000;
  return us > 0 ? us : undefined;
}

function positiveInt(text: string): number | undefined {
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

const VALUE_FLAGS = new Set(['--url', '--token', '--user', '--duration', '--connections', '--seed-tasks', '--max-p50', '--max-p99', '--min-rps', '--json']);

export function parseLoadtestArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ParseResult {
  const values = new Map<string, string>();
  let cleanup = true;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '-h' || arg === '--help') { help = true; continue; }
    if (arg === '--no-cleanup') { cleanup = false; continue; }
    if (!VALUE_FLAGS.has(arg)) return { ok: false, error: `unknown argument ${JSON.stringify(arg)}` };
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) return { ok: false, error: `${arg} needs a value` };
    values.set(arg, value);
  }
  const base = { user: undefined, durationSec: 10, connections: 10, seedTasks: 5, thresholds: {}, json: undefined, cleanup, help };
  if (help) return { ok: true, options: { ...base, url: '', token: '' } };

  const url = values.get('--url');
  if (!url) return { ok: false, error: '--url is required' };
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    return { ok: false, error: `--url ${JSON.stringify(url)} is not a URL` };
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') return { ok: false, error: '--url must be http:// or https://' };
  if (parsedUrl.search || parsedUrl.hash) return { ok: false, error: '--url is the base URL: no query or fragment' };

  const token = (values.get('--token') ?? env.LOADTEST_TOKEN ?? '').replace(/^Bearer\s+/i, '').trim();
  if (!token) return { ok: false, error: '--token (or LOADTEST_TOKEN) is required' };
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return { ok: false, error: '--token does not look like a JWT (three base64url parts)' };

  const options: { -readonly [K in keyof LoadtestOptions]: LoadtestOptions[K] } = { ...base, url: parsedUrl.toString().replace(/\/$/, ''), token };
  const user = values.get('--user');
  if (user !== undefined) {
    if (!/^[\x21-\x7e]{1,255}$/.test(user) || /[/\\%]/.test(user)) return { ok: false, error: '--user must be 1–255 visible ASCII characters without / \\ %' };
    options.user = user;
  }
  const checks: Array<[string, (v: string) => number | undefined, (n: number) => void, string]> = [
    ['--duration', parseDurationSec, (n) => { options.durationSec = n; }, 'a duration like 10s, 1m or 30'],
    ['--connections', positiveInt, (n) => { options.connections = n; }, 'a positive integer'],
    ['--seed-tasks', positiveInt, (n) => { options.seedTasks = n; }, 'a positive integer'],
  ];
  const thresholds: { -readonly [K in keyof Thresholds]: Thresholds[K] } = {};
  checks.push(
    ['--max-p50', parseLatencyUs, (n) => { thresholds.maxP50Us = n; }, 'a latency like 2ms, 500us or 0.8 (ms)'],
    ['--max-p99', parseLatencyUs, (n) => { thresholds.maxP99Us = n; }, 'a latency like 2ms, 500us or 0.8 (ms)'],
    ['--min-rps', (v) => (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0 ? Number(v) : undefined), (n) => { thresholds.minRps = n; }, 'a positive number'],
  );
  for (const [flag, parse, set, expected] of checks) {
    const raw = values.get(flag);
    if (raw === undefined) continue;
    const n = parse(raw);
    if (n === undefined) return { ok: false, error: `${flag} ${JSON.stringify(raw)}: expected ${expected}` };
    set(n);
  }
  options.thresholds = thresholds;
  options.json = values.get('--json');
  return { ok: true, options };
}

/** The token's `sub`, read without verifying (the deployment verifies; we only need the id). */
export function subjectOf(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
  } catch {
    return undefined;
  }
}
