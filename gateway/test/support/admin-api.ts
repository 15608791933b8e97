// The admin API for revocations, as a test (or an operator's script) calls it.
import { request } from 'undici';
import { TEST_SECRET } from './gateway.js';

/** 44 bytes, as `openssl rand -base64 32` prints. */
export const ADMIN_TOKEN = 'Zm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4OWFiY2RlZg==';

/** The env a gateway with admin.token needs (with the HS256 test secret). */
export const adminEnv = { TEST_SECRET, GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN };

/** Turns on the admin API in a config from hs256Config / betterAuthConfig. */
export function withAdminToken(yaml: string): string {
  const admin = 'admin: { host: 127.0.0.1, port: 0 }';
  if (!yaml.includes(admin)) throw new Error('config has no admin line to extend');
  return yaml.replace(admin, 'admin: { host: 127.0.0.1, port: 0, token: "${GATEWAY_ADMIN_TOKEN}" }');
}

export interface AdminReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function adminCall(adminUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, token: string | null = ADMIN_TOKEN): Promise<AdminReply> {
  const res = await request(`${adminUrl}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** POST /revocations; fails the test unless it answers 201. */
export async function revoke(adminUrl: string, body: Record<string, string>): Promise<{ id: string; created_at: string; expires_at: string; before?: string }> {
  const reply = await adminCall(adminUrl, 'POST', '/revocations', body);
  if (reply.status !== 201) throw new Error(`POST /revocations answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** One value of a Prometheus series from /metrics (undefined when absent). */
export async function metricValue(adminUrl: string, series: string): Promise<number | undefined> {
  const text = await (await request(`${adminUrl}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

export async function readiness(adminUrl: string, query = ''): Promise<{ status: number; body: { ready: boolean; checks: Record<string, boolean> } }> {
  const res = await request(`${adminUrl}/readyz${query}`);
  return { status: res.statusCode, body: (await res.body.json()) as { ready: boolean; checks: Record<string, boolean> } };
}
