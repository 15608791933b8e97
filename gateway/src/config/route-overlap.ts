import type { RouteConfig } from './types.js';
import type { Problems } from './problems.js';

/**
 * A public route whose template can match the same paths as a protected one: the router sends
 * such paths to the more literal template, so `/api/public/:x` next to `/api/:user_id/tasks`
 * makes `GET /api/public/tasks` public — the owner rule never runs. Legal, rarely meant.
 */
export function warnPublicOverlaps(routes: readonly RouteConfig[], p: Problems): void {
  const segments = routes.map((route) => route.path.split('/').slice(1));
  routes.forEach((route, i) => {
    if (!route.public) return;
    routes.forEach((other, j) => {
      if (other.public || !overlap(segments[i]!, segments[j]!)) return;
      p.warn(`routes[${i}].path`, `public route ${route.path} can match the same paths as protected route ${other.path} (routes[${j}]); those requests need no token — make the templates distinct if that is not intended`);
    });
  });
}

function overlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((segment, k) => segment === b[k] || segment.startsWith(':') || b[k]!.startsWith(':'));
}
