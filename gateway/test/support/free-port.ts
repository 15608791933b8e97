import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1, for programs that cannot listen on port 0 and
 * report the port (redis-server, haproxy). Callers retry on "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `condition` until it holds or the deadline passes; resolves with the time it took (ms). */
export async function eventually(condition: () => boolean | Promise<boolean>, options: { timeoutMs: number; everyMs?: number; what?: string }): Promise<number> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  for (;;) {
    if (await condition()) return performance.now() - started;
    if (performance.now() > deadline) throw new Error(`not within ${options.timeoutMs} ms: ${options.what ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 20));
  }
}
