// Turns what the live pipeline reported (trace steps and its verdict) into lines for a person.
// Only presentation lives here: every decision shown was made by the pipeline itself.
import { decodeJwt } from 'jose';
import { errorResponse } from '../../errors/reasons.js';
import type { GatewayConfig } from '../../gateway-config.js';
import type { CorsPolicy } from '../../pipeline/cors/policy.js';
import type { Verdict } from '../../pipeline/index.js';
import type { CompiledRoute } from '../../pipeline/route/index.js';
import type { TraceStep } from '../../pipeline/trace.js';

export const REQUEST_ID_SHOWN = '<request id>';
const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf']);

export interface ReportInput {
  readonly method: string;
  readonly path: string;
  readonly configFile: string;
  readonly peer: string;
  readonly config: GatewayConfig;
  readonly steps: readonly TraceStep[];
  readonly verdict: Verdict;
  readonly cors: CorsPolicy;
  readonly origin: string | undefined;
  /** The token given with --token, only to show its unverified claims when it was refused; never printed. */
  readonly token: string | undefined;
  readonly bySubject: boolean;
  /** The upstream's request headers for a forward verdict, values already redacted. */
  readonly upstreamHeaders: ReadonlyArray<readonly [string, string]> | undefined;
}

export function renderReport(input: ReportInput): string[] {
  const { verdict, config } = input;
  const out = [`gateway explain: ${input.method} ${input.path}   (config ${input.configFile}, client ${input.peer})`];
  if (input.bySubject) out.push('note: --sub — no token is verified: signature, iss, aud and exp are NOT checked.');
  out.push('');
  for (const step of input.steps) {
    const nested = step.step.includes('.');
    out.push(`${nested ? '    ' : '  '}${step.step.padEnd(nested ? 17 : 19)}${step.ok ? 'ok  ' : 'NO  '}  ${step.detail}`);
    out.push(...stepExtras(step, input).map((line) => `${' '.repeat(27)}${line}`));
  }
  out.push('');
  if (verdict.kind === 'forward') {
    out.push(`verdict: FORWARD — the upstream would be called${verdict.identity ? '' : ' (public route: no identity headers)'}; the client gets the upstream's answer.`);
    out.push(`the upstream would get:`, `  ${input.method} ${verdict.target.path}${verdict.target.query}`);
    for (const [name, value] of input.upstreamHeaders ?? []) out.push(`  ${name}: ${value}`);
  } else if (verdict.kind === 'preflight') {
    out.push('verdict: PREFLIGHT — answered 204 by the gateway itself; the upstream is never called.');
    for (const [name, value] of Object.entries(input.cors.preflightHeaders(input.origin, verdict.route))) out.push(`  ${name}: ${value}`);
  } else {
    const response = errorResponse(verdict.denial, { requestId: REQUEST_ID_SHOWN, realm: config.realm, ...(verdict.route ? { allow: verdict.route.allow } : {}) });
    out.push(`verdict: REFUSED ${response.status} ${response.body.error} / ${response.body.reason} — ${response.body.message}`);
    out.push('the upstream is never called; the client gets:');
    const headers = { ...response.headers, ...input.cors.responseHeaders(input.origin) };
    for (const [name, value] of Object.entries(headers)) out.push(`  ${name}: ${value}`);
    out.push(`  ${JSON.stringify(response.body)}`);
  }
  return out;
}

function stepExtras(step: TraceStep, input: ReportInput): string[] {
  if (step.step === 'route') {
    const route = step.data?.['route'] as CompiledRoute | undefined;
    const params = (step.data?.['params'] ?? {}) as Record<string, string>;
    if (!route) return [];
    const shown = Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    return [`methods ${route.allow.join(', ')}; ${route.public ? 'public' : route.owner ? `owner: ${route.owner}` : 'no owner rule'}${shown ? `; ${shown}` : ''}`];
  }
  if (step.step === 'credentials' && step.ok && input.bySubject) return ['(a stand-in: --sub supplies the subject, no token is read)'];
  if (step.step === 'token' && step.ok) return claimLines(step.data?.['claims'] as Record<string, unknown> | undefined, input.bySubject ? 'claims (from --sub, NOT verified)' : 'verified claims');
  if (step.step === 'token' && !step.ok && input.token !== undefined) {
    let claims: Record<string, unknown> | undefined;
    try {
      claims = decodeJwt(input.token);
    } catch {
      return [];
    }
    return claimLines(claims, 'claims (NOT verified, as the token states them)');
  }
  if (step.step === 'owner' && input.verdict.kind !== 'preflight' && input.verdict.identity) {
    const route = input.verdict.route;
    const params = (input.steps.find((s) => s.step === 'route')?.data?.['params'] ?? {}) as Record<string, string>;
    if (!route?.owner) return [];
    return [`path ${route.owner} = ${JSON.stringify(params[route.owner])}, token subject = ${JSON.stringify(input.verdict.identity.subject)} (compared byte for byte)`];
  }
  return [];
}

function claimLines(claims: Readonly<Record<string, unknown>> | undefined, title: string): string[] {
  if (!claims) return [];
  const nowS = Date.now() / 1000;
  return [
    `${title}:`,
    ...Object.entries(claims).map(([name, value]) => {
      const when = TIME_CLAIMS.has(name) && typeof value === 'number' ? ` (${relative(value - nowS)})` : '';
      return `  ${name}: ${JSON.stringify(value)}${when}`;
    }),
  ];
}

function relative(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  const text = abs >= 3600 ? `${Math.floor(abs / 3600)}h ${Math.floor((abs % 3600) / 60)}m` : abs >= 60 ? `${Math.floor(abs / 60)}m ${abs % 60}s` : `${abs}s`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}
