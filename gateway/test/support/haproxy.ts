// A real haproxy (Debian's) in front of gateway replicas, configured by the test: 127.0.0.1, a
// random port, active health checks on each replica's admin port, and a stats socket so a test
// can wait for "every server UP" (or DOWN) instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from './free-port.js';

export interface HaproxyServer {
  readonly name: string;
  /** The replica's public URL (http://127.0.0.1:port). */
  readonly url: string;
  /** The replica's admin URL, where the health check goes. */
  readonly adminUrl: string;
}

export interface HaproxyOptions {
  readonly servers: readonly HaproxyServer[];
  /** Default `/readyz?exclude=store`: a Redis outage must not take every replica out (README, "Running more than one"). */
  readonly checkPath?: string;
}

export interface Haproxy {
  readonly url: string;
  /** Server name → haproxy's status (UP, DOWN, "UP 1/2", …). */
  serverStatus(): Promise<Record<string, string>>;
  waitForStatus(name: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function configText(port: number, socket: string, options: HaproxyOptions): string {
  const servers = options.servers.map((s) => {
    const pub = new URL(s.url);
    const admin = new URL(s.adminUrl);
    return `  server ${s.name} ${pub.hostname}:${pub.port} check addr ${admin.hostname} port ${admin.port}`;
  });
  return `global
  maxconn 2000
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  # Retry only when the request was never sent (conn-failure): a request that reached a replica
  # is never sent twice, which is what "the upstream sees each request exactly once" relies on.
  retries 3
  retry-on conn-failure
  option redispatch
  http-reuse safe
frontend public
  bind 127.0.0.1:${port}
  default_backend gateways
backend gateways
  balance roundrobin
  option httpchk GET ${options.checkPath ?? '/readyz?exclude=store'}
  http-check expect status 200
  default-server inter 100ms fall 2 rise 1
${servers.join('\n')}
`;
}

function ask(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let out = '';
    conn.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    conn.on('end', () => resolve(out));
    conn.on('error', reject);
    conn.end(`${command}\n`);
  });
}

export async function startHaproxy(options: HaproxyOptions): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-haproxy-'));
  const socket = join(dir, 'stats.sock');
  const port = await freePort();
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, configText(port, socket, options));
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const serverStatus = async (): Promise<Record<string, string>> => {
    const csv = await ask(socket, 'show stat');
    const [header = '', ...rows] = csv.split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const at = (name: string) => columns.indexOf(name);
    const out: Record<string, string> = {};
    for (const row of rows) {
      const cells = row.split(',');
      if (cells[at('pxname')] === 'gateways' && cells[at('svname')] !== 'BACKEND') out[cells[at('svname')]!] = cells[at('status')]!;
    }
    return out;
  };

  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
      return serverStatus().then(() => true, () => false);
    },
    { timeoutMs: 5_000, what: 'haproxy stats socket' },
  );

  return {
    url: `http://127.0.0.1:${port}`,
    serverStatus,
    async waitForStatus(name, status, timeoutMs = 5_000) {
      await eventually(async () => (await serverStatus())[name] === status, { timeoutMs, what: `haproxy server ${name} ${status}` });
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
