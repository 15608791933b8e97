// The load test end to end: real upstream-todo, real gateway, real tokens, 1-second runs.
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadtest } from '../src/loadtest-run.js';
import { startGateway, startUpstreamTodo, type GatewayService } from '../src/services.js';
import type { Service } from '../src/spawn-service.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../src/thresholds.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, generateBenchKeys, mintToken, startJwksServer, type BenchKeys, type JwksServer } from '../src/tokens.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function loadtest(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await runLoadtest(args, out, err);
  return { code, out: out.text, err: err.text };
}

let keys: BenchKeys;
let jwks: JwksServer;
let upstream: Service;
let gateway: GatewayService;

beforeAll(async () => {
  keys = await generateBenchKeys();
  jwks = await startJwksServer(keys.jwks);
  upstream = await startUpstreamTodo(':memory:');
  gateway = await startGateway({ upstreamUrl: upstream.url, jwksUrl: jwks.url, secret: keys.secret, tokenCacheEntries: 1000, workers: 1 });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
  await jwks?.close();
});

describe('npm run loadtest', () => {
  it('exits 0 through the gateway with a good EdDSA token, prints the table, never the token', async () => {
    const token = await mintToken(keys, 'EdDSA', 'smoke-ok');
    const r = await loadtest(['--url', gateway.url, '--token', token, '--duration', '1', '--connections', '2']);
    expect(r.err).not.toContain(token);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toMatch(/\| requests \| req\/s \| p50 \|/);
    expect(r.out).toContain('PASS  failed requests: 0');
    expect(r.out).toMatch(/Responses: 200: \d+, 201: \d+/);
    expect(r.out).not.toContain(token);
  });

  it('exits 1 when a threshold is missed', async () => {
    const token = await mintToken(keys, 'HS256', 'smoke-threshold');
    const r = await loadtest(['--url', gateway.url, '--token', token, '--duration', '1', '--connections', '1', '--max-p50', '1us']);
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.out).toMatch(/FAIL {2}p50 latency: .* \(limit ≤ 1 µs\)/);
  });

  it('exits 1 with the reason when the gateway refuses the token (401)', async () => {
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('smoke-forged').setIssuer(BENCH_ISSUER)
      .setAudience(BENCH_AUDIENCE).setExpirationTime('5m').sign(new TextEncoder().encode('another-secret-that-is-long-enough-0123456789'));
    const r = await loadtest(['--url', gateway.url, '--token', forged, '--duration', '1']);
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.err).toContain('401 invalid_token');
    expect(r.err).not.toContain(forged);
  });

  it('exits 1 when the user in the path is not the token\'s (403)', async () => {
    const token = await mintToken(keys, 'HS256', 'smoke-owner');
    const r = await loadtest(['--url', gateway.url, '--token', token, '--user', 'somebody-else', '--duration', '1']);
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.err).toContain('403 user_mismatch');
  });

  it('exits 2 on bad arguments and when nothing listens at --url', async () => {
    expect((await loadtest(['--url', gateway.url])).code).toBe(EXIT_USAGE);
    const token = await mintToken(keys, 'HS256', 'smoke-nowhere');
    const r = await loadtest(['--url', 'http://127.0.0.1:9', '--token', token]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain('cannot reach');
  });
});
