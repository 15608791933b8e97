// The revocations row's list: 10,000 entries that no bench token matches (subjects, jti and sid
// values the bench's users never carry) plus one revoked subject the bench does not load, posted
// through the gateway's real admin API before the rounds. Every measured request is then checked
// against a full list and none is refused; the revoked subject proves the list is enforced.
import { Pool } from 'undici';
import type { GatewayService } from './services.js';
import { callApi, describeAnswer } from './task-api.js';
import { mintToken, type BenchKeys } from './tokens.js';

/** Entries per kind that match nothing the bench sends: 3334 + 3333 + 3333 = 10,000. */
export const UNMATCHED_REVOCATIONS = { sub: 3334, jti: 3333, sid: 3333 } as const;
/** A subject none of the bench's users is: revoked, so one request can show the list works. */
export const REVOKED_SUBJECT = 'bench-revoked-subject';
/** What the gateway's gateway_revocations gauge must read once the list is loaded. */
export const REVOCATION_LIST_SIZE = UNMATCHED_REVOCATIONS.sub + UNMATCHED_REVOCATIONS.jti + UNMATCHED_REVOCATIONS.sid + 1;

export type RevocationBody = { readonly sub: string } | { readonly jti: string } | { readonly sid: string };

/** The bodies to POST, the revoked subject last. Values are prefixed "bench-unmatched-", which no bench user, jti or sid starts with. */
export function revocationBodies(counts: { readonly sub: number; readonly jti: number; readonly sid: number } = UNMATCHED_REVOCATIONS): RevocationBody[] {
  const out: RevocationBody[] = [];
  for (let i = 0; i < counts.sub; i++) out.push({ sub: `bench-unmatched-sub-${i}` });
  for (let i = 0; i < counts.jti; i++) out.push({ jti: `bench-unmatched-jti-${i}` });
  for (let i = 0; i < counts.sid; i++) out.push({ sid: `bench-unmatched-sid-${i}` });
  out.push({ sub: REVOKED_SUBJECT });
  return out;
}

/** The gateway_revocations gauge from a Prometheus text exposition; undefined when absent. */
export function parseRevocationGauge(metricsText: string): number | undefined {
  const match = /^gateway_revocations(?:\{[^}]*\})? +(\S+)$/m.exec(metricsText);
  const value = match ? Number(match[1]) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}

export async function readRevocationGauge(adminUrl: string): Promise<number | undefined> {
  const res = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
  return parseRevocationGauge(await res.text());
}

/**
 * POSTs every body over `concurrency` keep-alive connections; the first answer that is not 201
 * stops it. undici's Pool rather than fetch: half the client CPU, and the bench process is not
 * pinned, so it may share the gateway's core while it fills the list.
 */
async function postAll(adminUrl: string, adminToken: string, bodies: readonly RevocationBody[], concurrency: number): Promise<void> {
  const pool = new Pool(adminUrl, { connections: concurrency });
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  let next = 0;
  let failure: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < bodies.length && !failure) {
      const body = bodies[next++]!;
      const res = await pool.request({ method: 'POST', path: '/revocations', headers, body: JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000 });
      const text = await res.body.text();
      if (res.statusCode !== 201) {
        let error = '';
        try { error = String((JSON.parse(text) as { error?: unknown }).error ?? ''); } catch { /* not JSON */ }
        failure ??= new Error(`POST /revocations answered ${res.statusCode}${error ? ` ${error}` : ''}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  } finally {
    await pool.close();
  }
  if (failure) throw failure;
}

/** Polls the gauge until it reads `expected` (a cluster's workers learn entries over IPC) or the deadline passes. */
async function waitForGauge(adminUrl: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: number | undefined;
  for (;;) {
    seen = await readRevocationGauge(adminUrl);
    if (seen === expected) return;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway_revocations reads ${seen ?? 'nothing'} on the admin /metrics, expected ${expected}: the list is not loaded`);
}

/** The revoked subject's list path, refused only because of the list: 200 before it is filled, 401 token_revoked after. */
async function revokedSubjectAnswer(gateway: GatewayService, token: string): Promise<string> {
  return describeAnswer(await callApi(gateway.url, 'GET', `/api/${REVOKED_SUBJECT}/tasks`, token));
}

/**
 * Fills the gateway's revocation list through its admin API and proves it is enforced: the
 * gauge reads every entry, and a token of the revoked subject (200 before) now gets 401
 * token_revoked. Throws (so the row is not measured) when any of it does not hold.
 */
export async function loadRevocationList(gateway: GatewayService, keys: BenchKeys, bodies: readonly RevocationBody[] = revocationBodies(), concurrency = 16): Promise<{ readonly seconds: number }> {
  const started = process.hrtime.bigint();
  // Issued before the entry is made, so the entry's cut-off (`before`: now) covers it.
  const token = await mintToken(keys, 'HS256', REVOKED_SUBJECT, Math.floor(Date.now() / 1000) - 5);
  const before = await revokedSubjectAnswer(gateway, token);
  if (before !== '200') throw new Error(`before the list was filled, a token of ${REVOKED_SUBJECT} answered ${before}, expected 200`);
  await postAll(gateway.adminUrl, keys.adminToken, bodies, concurrency);
  await waitForGauge(gateway.adminUrl, bodies.length, 20_000);
  const after = await revokedSubjectAnswer(gateway, token);
  if (after !== '401 token_revoked') throw new Error(`with the list loaded, a token of ${REVOKED_SUBJECT} answered ${after}, expected 401 token_revoked`);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
