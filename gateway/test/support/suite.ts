// The one lifecycle of the end-to-end suites: start servers in beforeAll, reset the recording
// upstream before each test, close everything in afterAll (in reverse order of start, as
// vitest runs after-hooks as a stack). Called at the top of a file, or inside a describe for
// servers only that describe needs.
//
// Each use* returns a stand-in that forwards to the real server once beforeAll has started
// it, so a file can write `const gateway = useGateway(...)` next to its helpers and leave
// every `gateway.url` in its tests as it is. Touching a stand-in outside the tests (at
// collection time, or after afterAll) throws rather than answering with stale state.

import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTestGateway, testEnv, type TestGateway } from './gateway.js';
import { startRecordingUpstream, type RecordingUpstream } from './recording-upstream.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

interface Closable {
  close(): Promise<void>;
}

/** Starts `start()` in beforeAll and closes it in afterAll: a Better Auth, a JWKS server, the task service… */
export function useServer<T extends Closable>(start: () => Promise<T>, what = 'the server'): T {
  const slot = lateBound<T>(what);
  beforeAll(async () => slot.set(await start()));
  afterAll(async () => {
    const running = slot.take();
    await running?.close();
  });
  return slot.value;
}

/** A recording upstream for the suite, reset (requests and responder) before each test. */
export function useUpstream(): RecordingUpstream {
  const upstream = useServer(startRecordingUpstream, 'the recording upstream');
  beforeEach(() => upstream.reset());
  return upstream;
}

/** A real redis-server for the suite (its own port and directory), killed in afterAll. */
export function useRedis(): RedisServer {
  return useServer(async () => {
    const server = await startRedisServer();
    return { ...server, get running() { return server.running; }, close: () => server.stop() };
  }, 'the redis-server');
}

/**
 * A gateway for the suite. `config` is called in beforeAll, so it may read servers started
 * before it (`() => hs256Config(upstream.url)`); `env` fills `${VAR}`s (default: TEST_SECRET).
 */
export function useGateway(config: () => string, env: Record<string, string> = testEnv): TestGateway {
  return useServer(() => startTestGateway(config(), env), 'the gateway');
}

/** One gateway for one test, closed however the test ends. */
export async function withGateway<T>(yaml: string, test: (gateway: TestGateway) => Promise<T>, env: Record<string, string> = testEnv): Promise<T> {
  const gateway = await startTestGateway(yaml, env);
  try {
    return await test(gateway);
  } finally {
    await gateway.close();
  }
}

/** The URL of a port nothing listens on any more: an upstream that refuses connections. */
export async function refusingUpstreamUrl(): Promise<string> {
  const gone = await startRecordingUpstream();
  await gone.close();
  return gone.url;
}

interface LateBound<T> {
  /** The stand-in handed to the tests. */
  readonly value: T;
  set(real: T): void;
  /** Unbinds and returns the real object (undefined if it never started). */
  take(): T | undefined;
}

function lateBound<T extends object>(what: string): LateBound<T> {
  let current: T | undefined;
  const real = (): T => {
    if (current === undefined) throw new Error(`${what} exists only between the suite's beforeAll and afterAll`);
    return current;
  };
  // Reflect with the real object as receiver: getters (TestGateway.logs) see their own `this`.
  const value = new Proxy({} as T, {
    get: (_stub, key) => Reflect.get(real(), key),
    has: (_stub, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_stub, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may only report configurable properties its (empty) stub does not have.
      return descriptor && { ...descriptor, configurable: true };
    },
    set: () => {
      throw new Error(`${what} is read-only in tests`);
    },
  });
  return {
    value,
    set: (next) => void (current = next),
    take: () => {
      const was = current;
      current = undefined;
      return was;
    },
  };
}
