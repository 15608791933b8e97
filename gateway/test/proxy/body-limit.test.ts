// proxy/body-limit.ts: a chunked body is counted on its way to the upstream and cut past the limit.

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, limitBody } from '../../src/proxy/body-limit.js';

/** Pipes `chunks` through the limit and resolves with what came out and how it ended. */
async function pass(limit: number, chunks: string[]): Promise<{ out: string; error: unknown }> {
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
  });
  let error: unknown;
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), limitBody(limit), sink).catch((e: unknown) => (error = e));
  return { out: Buffer.concat(received).toString(), error };
}

describe('limitBody', () => {
  it('passes a body under or exactly at the limit through unchanged', async () => {
    expect(await pass(10, ['abc', 'def'])).toEqual({ out: 'abcdef', error: undefined });
    expect(await pass(10, ['abcde', 'fghij'])).toEqual({ out: 'abcdefghij', error: undefined });
    expect(await pass(0, [])).toEqual({ out: '', error: undefined });
  });

  it('fails the stream with body_too_large at the first byte past the limit, passing nothing of that chunk', async () => {
    const { out, error } = await pass(10, ['abcde', 'fghij', 'k', 'lmnop']);
    expect(out).toBe('abcdefghij');
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).code).toBe('body_too_large');
  });

  it('counts bytes, not characters', async () => {
    const { error } = await pass(3, ['éé']); // 4 bytes
    expect(error).toBeInstanceOf(BodyTooLargeError);
  });

  it('one oversized chunk is refused whole', async () => {
    expect(await pass(4, ['abcdefgh'])).toMatchObject({ out: '' });
  });
});
