// Reference for the benchmark: the thinnest proxy one can build on the gateway's own stack
// (fastify + an undici keep-alive pool, no auth, no header rules, no metrics, no logs). Its
// CPU per request is the floor any fastify/undici gateway stands on, so the bench can tell
// the cost of Node's HTTP stack from the cost of the gateway's own checks.
// Env: UPSTREAM (origin), PORT. Not a product: it checks nothing.
import Fastify from 'fastify';
import { Pool } from 'undici';

const upstream = process.env.UPSTREAM;
const port = Number(process.env.PORT);
if (!upstream || !Number.isInteger(port)) {
  process.stderr.write('bare-proxy: set UPSTREAM and PORT\n');
  process.exit(2);
}

const pool = new Pool(upstream, { connections: 64, pipelining: 1 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'te', 'upgrade', 'proxy-connection']);
const app = Fastify({ logger: false });
// Bodies stream through untouched.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_req, _payload, done) => done(null));

app.all('/*', async (req, reply) => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const res = await pool.request({ method: req.method as 'GET', path: req.url, headers, body: hasBody ? req.raw : null });
  reply.code(res.statusCode);
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
  return reply.send(res.body);
});

await app.listen({ host: '127.0.0.1', port });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void app.close().then(() => pool.close()).then(() => process.exit(0)));
