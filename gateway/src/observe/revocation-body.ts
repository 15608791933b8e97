// The body of POST /revocations: exactly one of {sub (+ before)}, {jti}, {sid}. Every refusal
// names the offending key, so a script's author sees at once what to fix.
import { isAcceptableSubject } from '../pipeline/authn/claims.js';
import { REVOCATION_KINDS, valueProblem, type RevocationDraft, type RevocationKind } from '../store/revocation.js';

export type BodyResult = { readonly ok: true; readonly draft: RevocationDraft } | { readonly ok: false; readonly key: string; readonly message: string };

const ALLOWED_KEYS = ['sub', 'before', 'jti', 'sid'];
/** The admin's clock may run a little ahead of ours; a `before` further ahead is a mistake. */
export const BEFORE_MAX_AHEAD_MS = 60_000;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DATE_EXAMPLE = 'an ISO-8601 date-time with a zone, like 2026-11-25T18:00:00.000Z';

const bad = (key: string, message: string): BodyResult => ({ ok: false, key, message });

export function readRevocationBody(body: unknown, nowMs: number): BodyResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return bad('(body)', 'must be a JSON object with exactly one of "sub", "jti", "sid"');
  }
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).find((key) => !ALLOWED_KEYS.includes(key));
  if (unknown !== undefined) return bad(unknown, `unknown key; allowed: ${ALLOWED_KEYS.join(', ')}`);
  const kinds = REVOCATION_KINDS.filter((kind) => Object.hasOwn(o, kind));
  if (kinds.length === 0) return bad('(body)', 'needs exactly one of "sub", "jti", "sid"');
  if (kinds.length > 1) return bad(kinds[1]!, `only one of "sub", "jti", "sid" per entry; got ${kinds.map((k) => `"${k}"`).join(' and ')}`);
  const kind: RevocationKind = kinds[0]!;
  const value = o[kind];
  const problem = valueProblem(value);
  if (problem !== undefined) return bad(kind, problem);
  if (kind === 'sub' && !isAcceptableSubject(value as string)) {
    return bad('sub', 'is not a subject the gateway accepts (1-255 visible ASCII characters other than / \\ %), so it could never match a token');
  }
  if (!Object.hasOwn(o, 'before')) return { ok: true, draft: { kind, value: value as string } };
  if (kind !== 'sub') return bad('before', 'only goes with "sub" (a jti or sid names one token or session, whenever issued)');
  const beforeMs = parseDateTime(o['before']);
  if (beforeMs === undefined) return bad('before', `must be ${DATE_EXAMPLE}`);
  if (beforeMs > nowMs + BEFORE_MAX_AHEAD_MS) return bad('before', 'must not be in the future: it revokes the tokens issued at or before it');
  return { ok: true, draft: { kind, value: value as string, beforeMs } };
}

/** Strict: a real calendar date (no 30 February, which Date.parse rolls over to March), hours 00-23. */
function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHour > 23 || offsetMinute > 59) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
