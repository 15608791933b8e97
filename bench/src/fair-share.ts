// `npm run fairshare`: while one user slow-reads 64 large responses, do the others keep their
// latency? Starts upstream-todo and the gateway at its default config (bench/config), gives
// alice a ~4 MiB task list, then alternates quiet rounds (other users only) with attack rounds
// (the same load while alice holds 64 connections she never reads; measured once her requests
// have settled into the gateway's pool, since the upstream serialising her lists is a one-off
// burst of the upstream's own). Bounded: 2 × --rounds (default 6) rounds of --seconds (default
// 3) plus setup, under a minute. Prints the figures and writes
// results/fair-share.json; exits 1 if another user's p50 moved more than 10% or anyone else got
// a 504 (or any status but 200).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool, request } from 'undici';
import { BENCH_ROOT, startGateway, startUpstreamTodo } from './services.js';
import { startSlowReaders } from './slow-reader.js';
import { median } from './stats.js';
import { generateBenchKeys, mintToken, startJwksServer } from './tokens.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '6' }, connections: { type: 'string', default: '8' }, attackers: { type: 'string', default: '64' } },
});
const ROUND_MS = Number(values.seconds) * 1000;
const ROUNDS = Number(values.rounds);
const OTHERS_CONNECTIONS = Number(values.connections);
const ATTACK_CONNECTIONS = Number(values.attackers);
const OTHER_USERS = 16;
const LIST_BYTES = 4 * 1024 * 1024;

interface Round {
  /** attack-start: the first second of an attack, while the upstream serialises alice's lists (shown, not compared). */
  readonly kind: 'quiet' | 'attack' | 'attack-start';
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Record<string, number>;
}

/** Gives `user` tasks (straight to the upstream, which trusts its path) until their list is about `bytes`. */
async function seed(upstreamUrl: string, user: string, bytes: number): Promise<number> {
  const pool = new Pool(upstreamUrl, { connections: 16 });
  const body = JSON.stringify({ title: 't'.repeat(200), description: 'd'.repeat(1000) });
  const count = Math.ceil(bytes / (body.length + 120));
  let next = 0;
  const worker = async () => {
    while (next++ < count) await (await pool.request({ method: 'POST', path: `/api/${user}/tasks`, headers: { 'content-type': 'application/json' }, body })).body.dump();
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await pool.close();
  return count;
}

/** `OTHERS_CONNECTIONS` clients, each GETting one of the other users' lists in turn, for one round. */
async function othersRound(kind: Round['kind'], gatewayUrl: string, tokens: readonly string[], ms = ROUND_MS): Promise<Round> {
  const pool = new Pool(gatewayUrl, { connections: OTHERS_CONNECTIONS });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const deadline = performance.now() + ms;
  let n = 0;
  const client = async () => {
    while (performance.now() < deadline) {
      const i = n++ % tokens.length;
      const started = performance.now();
      const res = await pool.request({ method: 'GET', path: `/api/user${i}/tasks`, headers: { authorization: `Bearer ${tokens[i]}` } });
      await res.body.dump();
      latencies.push(performance.now() - started);
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: OTHERS_CONNECTIONS }, client));
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { kind, requests: latencies.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), statuses };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

interface Readyz {
  readonly status: number;
  readonly pool: { readonly in_flight: number; readonly busy: number; readonly free: number; readonly queued: number };
}

async function readyz(adminUrl: string): Promise<Readyz> {
  const res = await request(`${adminUrl}/readyz`);
  return { status: res.statusCode, ...((await res.body.json()) as Omit<Readyz, 'status'>) };
}

/** Polls (with a deadline) until alice's forwarded requests hold their share of the pool and the upstream is done writing them. */
async function settled(adminUrl: string, share: number): Promise<Readyz> {
  const deadline = performance.now() + 15_000;
  let last = await readyz(adminUrl);
  while (last.pool.in_flight < share && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await readyz(adminUrl);
  }
  return last;
}

/** Polls (with a deadline) until the upstream answers its /health promptly again: done serialising alice's lists. */
async function upstreamIdle(upstreamUrl: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  let prompt = 0;
  while (prompt < 3 && performance.now() < deadline) {
    const started = performance.now();
    await (await request(`${upstreamUrl}/health`)).body.dump();
    prompt = performance.now() - started < 5 ? prompt + 1 : 0;
  }
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fairshare-'));
  const keys = await generateBenchKeys();
  const jwks = await startJwksServer(keys.jwks);
  const upstream = await startUpstreamTodo(join(dir, 'todo.db'));
  const gateway = await startGateway({ upstreamUrl: upstream.url, jwksUrl: jwks.url, secret: keys.secret, workers: 1 });
  try {
    const tasks = await seed(upstream.url, 'alice', LIST_BYTES);
    for (let i = 0; i < OTHER_USERS; i++) await seed(upstream.url, `user${i}`, 8 * 1024);
    const alice = await mintToken(keys, 'HS256', 'alice');
    const others = await Promise.all(Array.from({ length: OTHER_USERS }, (_, i) => mintToken(keys, i % 2 ? 'EdDSA' : 'HS256', `user${i}`)));
    console.log(`alice has ${tasks} tasks (~${(LIST_BYTES / 1048576).toFixed(0)} MiB list); ${OTHER_USERS} other users on ${OTHERS_CONNECTIONS} connections; rounds of ${ROUND_MS / 1000} s`);
    await othersRound('quiet', gateway.url, others, 3_000); // warm-up (JIT, connections), not counted

    const rounds: Round[] = [];
    let attackReport: Readyz | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      rounds.push(await othersRound('quiet', gateway.url, others));
      const attack = startSlowReaders(gateway.url, '/api/alice/tasks', alice, ATTACK_CONNECTIONS);
      await settled(gateway.adminUrl, 16);
      await upstreamIdle(upstream.url);
      rounds.push(await othersRound('attack-start', gateway.url, others, 1_000));
      attackReport = await readyz(gateway.adminUrl); // between rounds: only alice's requests are in flight
      rounds.push(await othersRound('attack', gateway.url, others));
      const stats = await attack.stop();
      console.log(`attack ${r + 1}: alice's requests hold ${attackReport.pool.busy} upstream connections (${attackReport.pool.free} free); ${stats.opened} connections opened, ${stats.closedByGateway} closed by the gateway during the round`);
    }
    const p50 = (kind: Round['kind']) => median(rounds.filter((x) => x.kind === kind).map((x) => x.p50Ms));
    const ratio = p50('attack') / p50('quiet');
    const badStatuses = rounds.flatMap((x) => Object.entries(x.statuses).filter(([status]) => status !== '200'));
    for (const x of rounds) console.log(`${x.kind.padEnd(12)}  ${String(x.requests).padStart(6)} requests  p50 ${x.p50Ms.toFixed(3)} ms  p99 ${x.p99Ms.toFixed(3)} ms  ${JSON.stringify(x.statuses)}`);
    console.log(`others' p50 under attack ÷ quiet: ${ratio.toFixed(3)} (limit 1.10); statuses other than 200: ${JSON.stringify(badStatuses)}`);
    console.log(`/readyz mid-attack: ${JSON.stringify(attackReport)}`);
    const result = { at: new Date().toISOString(), roundSeconds: ROUND_MS / 1000, othersConnections: OTHERS_CONNECTIONS, attackConnections: ATTACK_CONNECTIONS, aliceTasks: tasks, rounds, p50Ratio: round(ratio), readyzMidAttack: attackReport };
    writeFileSync(join(BENCH_ROOT, 'results/fair-share.json'), `${JSON.stringify(result, null, 2)}\n`);
    return ratio <= 1.1 && badStatuses.length === 0 ? 0 : 1;
  } finally {
    await gateway.stop();
    await upstream.stop();
    await jwks.close();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(2);
});
