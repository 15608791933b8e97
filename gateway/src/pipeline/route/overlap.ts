import type { Problems } from '../../config/problems.js';
import type { RouteSpec } from './table.js';
import type { Segment } from './template.js';

/**
 * A public route whose template can match the same paths as a protected one: the router sends
 * such paths to the more literal template, so `/api/public/:x` next to `/api/:user_id/tasks`
 * makes `GET /api/public/tasks` public — the owner rule never runs. Legal, rarely meant.
 */
export function warnPublicOverlaps(routes: readonly RouteSpec[], path: string, p: Problems): void {
  routes.forEach((route, i) => {
    if (!route.public) return;
    routes.forEach((other, j) => {
      if (other.public || !overlap(route.segments, other.segments)) return;
      p.warn(`${path}[${i}].path`, `public route ${route.path} can match the same paths as protected route ${other.path} (${path}[${j}]); those requests need no token — make the templates distinct if that is not intended`);
    });
  });
}

function overlap(a: readonly Segment[], b: readonly Segment[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, k) => {
    const t = b[k]!;
    return s.kind === 'param' || t.kind === 'param' || s.value === t.value;
  });
}
