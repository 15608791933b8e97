// The users a benchmark acts as: readers with seeded tasks (list/get/toggle), writers that
// only receive creates (so the lists being read never grow), each with a token of each kind.
import type { MixUser } from './mix.js';
import { buildMix, type PlannedRequest } from './mix.js';
import { seedTasks } from './task-api.js';
import { mintToken, type BenchKeys, type TokenKind } from './tokens.js';

export const READERS = 64;
export const WRITERS = 64;
export const TASKS_PER_READER = 5;

interface BenchUser {
  readonly id: string;
  readonly tokens: Readonly<Record<TokenKind, string>>;
  readonly taskIds: readonly number[];
}

export interface BenchPlans {
  /** Half the users with HS256 tokens, half with EdDSA: what direct, nginx and the cached gateway get. */
  readonly mixed: PlannedRequest[];
  readonly hs256: PlannedRequest[];
  readonly eddsa: PlannedRequest[];
}

async function makeUser(keys: BenchKeys, id: string, taskIds: readonly number[]): Promise<BenchUser> {
  return { id, taskIds, tokens: { HS256: await mintToken(keys, 'HS256', id), EdDSA: await mintToken(keys, 'EdDSA', id) } };
}

/** Seeds readers' tasks directly on the upstream (no token needed there) and builds the plans. */
export async function prepareUsers(upstreamUrl: string, keys: BenchKeys): Promise<BenchPlans> {
  const readers: BenchUser[] = [];
  for (let i = 0; i < READERS; i++) {
    const id = `bench-reader-${i}`;
    readers.push(await makeUser(keys, id, await seedTasks(upstreamUrl, id, undefined, TASKS_PER_READER, TASKS_PER_READER)));
  }
  const writers: BenchUser[] = [];
  for (let i = 0; i < WRITERS; i++) writers.push(await makeUser(keys, `bench-writer-${i}`, []));
  const as = (users: BenchUser[], kind: (i: number) => TokenKind): MixUser[] =>
    users.map((u, i) => ({ id: u.id, token: u.tokens[kind(i)], taskIds: u.taskIds }));
  const alternate = (i: number): TokenKind => (i % 2 === 0 ? 'HS256' : 'EdDSA');
  return {
    mixed: buildMix(as(readers, alternate), as(writers, alternate)),
    hs256: buildMix(as(readers, () => 'HS256'), as(writers, () => 'HS256')),
    eddsa: buildMix(as(readers, () => 'EdDSA'), as(writers, () => 'EdDSA')),
  };
}
