// Entry point of the Node floor (floor-proxy.ts), as the bench starts it. Reads its settings from
// the environment, imports the Ed25519 keys from the JWKS once, listens on 127.0.0.1.
// Env: UPSTREAM (origin), PORT, JWKS_URL, HS256_SECRET, ISSUER, AUDIENCE,
// TOKEN_CACHE (entries; 0 = off; default 10000, the gateway's default), WORKERS (default 1).
// A reference for measurements, not a product.
import cluster from 'node:cluster';
import { createFloor } from './floor-proxy.js';
import { importEd25519Keys } from './floor-verify.js';

function fail(message: string): never {
  process.stderr.write(`node-floor: ${message}\n`);
  process.exit(2);
}

const env = process.env;
const port = Number(env.PORT);
const workers = Number(env.WORKERS ?? '1');
const tokenCacheEntries = Number(env.TOKEN_CACHE ?? '10000');
if (!env.UPSTREAM || !Number.isInteger(port) || !env.JWKS_URL || !env.ISSUER || !env.AUDIENCE) fail('set UPSTREAM, PORT, JWKS_URL, ISSUER and AUDIENCE');
if (!Number.isInteger(workers) || workers < 1 || !Number.isInteger(tokenCacheEntries) || tokenCacheEntries < 0) fail('WORKERS and TOKEN_CACHE must be integers');

if (workers > 1 && cluster.isPrimary) {
  // Same shape as the gateway's `workers`: processes sharing one listening port.
  let alive = workers;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', () => { if (--alive === 0) process.exit(0); });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => { for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM'); });
  }
} else {
  const response = await fetch(env.JWKS_URL!, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) fail(`JWKS answered ${response.status}`);
  const eddsa = importEd25519Keys((await response.json()) as { keys?: [] });
  if (eddsa.size === 0) fail('the JWKS holds no Ed25519 key with a kid');
  const floor = createFloor({
    upstream: new URL(env.UPSTREAM!).origin,
    tokenCacheEntries,
    keys: { eddsa, hs256: env.HS256_SECRET ? Buffer.from(env.HS256_SECRET, 'utf8') : undefined, issuer: env.ISSUER!, audience: env.AUDIENCE!, clockToleranceSec: 30 },
  });
  floor.server.listen(port, '127.0.0.1');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void floor.close().then(() => process.exit(0)));
}
