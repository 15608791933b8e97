// One revocation entry: what it revokes (a subject up to an instant, one token by jti, one
// session by sid), when it was made and when it is forgotten. Also its JSON form, the one
// format of the admin API, of Redis and of cluster IPC, so the three can never drift apart.
import { randomUUID } from 'node:crypto';

export const REVOCATION_KINDS = ['sub', 'jti', 'sid'] as const;
export type RevocationKind = (typeof REVOCATION_KINDS)[number];

/** Longest value accepted for sub, jti or sid (the subject rule's limit, docs/contract.md). */
export const MAX_VALUE_BYTES = 255;

export interface Revocation {
  readonly id: string;
  readonly kind: RevocationKind;
  readonly value: string;
  /** sub entries only: tokens of the subject issued at or before this instant (ms) are revoked. */
  readonly beforeMs?: number;
  readonly createdAtMs: number;
  /** After this the entry is forgotten: every token it covers has expired by then. */
  readonly expiresAtMs: number;
}

/** What the admin asks for; the store gives it an id and its times. */
export interface RevocationDraft {
  readonly kind: RevocationKind;
  readonly value: string;
  /** sub only; default: the moment the entry is created. */
  readonly beforeMs?: number;
}

export interface RevocationJson {
  readonly id: string;
  readonly sub?: string;
  readonly jti?: string;
  readonly sid?: string;
  readonly before?: string;
  readonly created_at: string;
  readonly expires_at: string;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Entry ids are UUIDs; anything else is unknown without asking the store. */
export function isRevocationId(id: string): boolean {
  return ID.test(id);
}

/** Why a value cannot be a sub, jti or sid, or undefined when it can. */
export function valueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) return `must be at most ${MAX_VALUE_BYTES} bytes`;
  return undefined;
}

/** Every entry lives `retentionMs` from its creation (revocation.retention: the longest token life). */
export function createRevocation(draft: RevocationDraft, nowMs: number, retentionMs: number, id: string = randomUUID()): Revocation {
  const base = { id, kind: draft.kind, value: draft.value, createdAtMs: nowMs, expiresAtMs: nowMs + retentionMs };
  return Object.freeze(draft.kind === 'sub' ? { ...base, beforeMs: draft.beforeMs ?? nowMs } : base);
}

export function toJson(entry: Revocation): RevocationJson {
  return {
    id: entry.id,
    [entry.kind]: entry.value,
    ...(entry.beforeMs !== undefined ? { before: new Date(entry.beforeMs).toISOString() } : {}),
    created_at: new Date(entry.createdAtMs).toISOString(),
    expires_at: new Date(entry.expiresAtMs).toISOString(),
  };
}

/**
 * Reads an entry back (from Redis or IPC), strictly: anything unexpected is undefined, never a
 * half-read entry. Not for admin input, which gets per-key messages (observe/revocation-body.ts).
 */
export function fromJson(value: unknown): Revocation | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  const kinds = REVOCATION_KINDS.filter((k) => Object.hasOwn(o, k));
  if (kinds.length !== 1) return undefined;
  const kind = kinds[0]!;
  const allowed = new Set(['id', kind, 'created_at', 'expires_at', ...(kind === 'sub' ? ['before'] : [])]);
  if (Object.keys(o).some((k) => !allowed.has(k))) return undefined;
  if (typeof o['id'] !== 'string' || !isRevocationId(o['id']) || valueProblem(o[kind]) !== undefined) return undefined;
  const createdAtMs = isoMs(o['created_at']);
  const expiresAtMs = isoMs(o['expires_at']);
  if (createdAtMs === undefined || expiresAtMs === undefined) return undefined;
  const entry = { id: o['id'], kind, value: o[kind] as string, createdAtMs, expiresAtMs };
  if (kind !== 'sub') return Object.freeze(entry);
  const beforeMs = isoMs(o['before']);
  return beforeMs === undefined ? undefined : Object.freeze({ ...entry, beforeMs });
}

function isoMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value ? ms : undefined;
}
