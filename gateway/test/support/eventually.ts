// Waiting on a condition, never on a clock: for effects that land just after the response the
// client already holds (the outcome is observed once the server side of the answer is done).

/** Probes until `done(value)` holds and returns that value; throws with the last value past the deadline. */
export async function eventually<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
