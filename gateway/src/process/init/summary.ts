// What init did, for the person at the terminal (stderr, so stdout stays the YAML alone):
// one row per route with its protection and what to review, then the warnings.
import { protectionOf, type InitPlan, type PlannedRoute } from './plan.js';

/** Document text reaches the terminal escaped: a path cannot carry terminal control sequences. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function reviewNotes(route: PlannedRoute): string[] {
  const notes = [...route.review];
  if (route.suggestPublic !== undefined) notes.push(`maybe --public ${route.openapiPath}: ${route.suggestPublic}`);
  if (notes.length === 0 && protectionOf(route) === 'protected') notes.push('any signed-in user may call it; the upstream must authorize');
  return notes;
}

export function routeTable(routes: readonly PlannedRoute[]): string[] {
  const rows = routes.map((r) => ({ path: r.path, methods: r.methods.join(' '), protection: protectionOf(r), notes: reviewNotes(r) }));
  const head = { path: 'PATH', methods: 'METHODS', protection: 'PROTECTION' };
  const w = {
    path: Math.max(head.path.length, ...rows.map((r) => r.path.length)),
    methods: Math.max(head.methods.length, ...rows.map((r) => r.methods.length)),
    protection: Math.max(head.protection.length, ...rows.map((r) => r.protection.length)),
  };
  const line = (path: string, methods: string, protection: string, review: string): string =>
    `${path.padEnd(w.path)}  ${methods.padEnd(w.methods)}  ${protection.padEnd(w.protection)}  ${review}`.trimEnd();
  const out = [line(head.path, head.methods, head.protection, 'REVIEW')];
  for (const row of rows) {
    out.push(line(row.path, row.methods, row.protection, row.notes[0] ?? ''));
    for (const note of row.notes.slice(1)) out.push(line('', '', '', note));
  }
  return out;
}

export interface SummaryExtras {
  readonly configWarnings: readonly string[];
  readonly unsetRequired: readonly string[];
  /** "wrote gateway.yaml" or "config written to stdout". */
  readonly destination: string;
  readonly checkCommand: string;
}

export function summary(plan: InitPlan, extras: SummaryExtras): string {
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const by = (p: string): number => plan.routes.filter((r) => protectionOf(r) === p).length;
  const lines = [
    `gateway init: ${count(plan.routes.length, 'route')} from ${printable(plan.source)} (OpenAPI ${printable(plan.version)}): ` +
      `${by('owner')} owner, ${by('protected')} protected, ${by('public')} public`,
    '',
    ...routeTable(plan.routes),
    '',
    `upstream: ${printable(plan.upstream.url)} (from ${plan.upstream.source})`,
    ...plan.upstream.review.map((r) => `  review: ${printable(r)}`),
    `issuers: ${plan.auth.issuers.map((i) => i.name).join(', ')}`,
    ...plan.auth.review.map((r) => `  review: ${printable(r)}`),
  ];
  const warnings = [...plan.warnings, ...extras.configWarnings];
  if (warnings.length > 0) lines.push('', 'warnings:', ...warnings.map((w) => `  - ${printable(w)}`));
  for (const name of extras.unsetRequired) {
    lines.push('', `${name} is not set here: set it before starting the gateway (--check-config refuses the file until then).`);
  }
  lines.push('', `${extras.destination}; check it with: ${extras.checkCommand}`);
  return `${lines.join('\n')}\n`;
}
