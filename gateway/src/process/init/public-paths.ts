// Public routes: only those --public names. Paths that look public (health checks, API docs,
// operations the document marks `security: []`) get a commented suggestion, never `public: true`.
import { usageError } from './init-error.js';
import type { PlannedRoute } from './plan.js';

const HEALTH = new Set(['health', 'healthz', 'healthcheck', 'health-check', 'livez', 'readyz', 'live', 'ready', 'liveness', 'readiness', 'ping', 'status', 'version']);
const DOCS = new Set(['docs', 'redoc', 'swagger', 'swagger-ui', 'api-docs', 'openapi.json', 'openapi.yaml', 'openapi.yml', 'swagger.json', 'swagger.yaml']);

/** Marks the routes --public names. A name that matches nothing, or an owner route, is a bad argument. */
export function applyPublic(routes: readonly PlannedRoute[], publicPaths: readonly string[]): void {
  for (const wanted of publicPaths) {
    const route = routes.find((r) => r.openapiPath === wanted || r.path === wanted);
    if (!route) {
      const known = routes.map((r) => r.openapiPath);
      const shown = known.length > 20 ? [...known.slice(0, 20), `… and ${known.length - 20} more`] : known;
      throw usageError(`--public ${wanted}: the document has no such path (a trailing slash counts); its routed paths are:`, shown);
    }
    if (route.owner !== undefined) {
      throw usageError(
        `--public ${wanted}: this path has the owner parameter {${route.owner}}; a public route would serve every user's data to anyone without a token. ` +
          'If that is really meant, edit the generated file by hand',
      );
    }
    route.public = true;
    const writes = route.methods.filter((m) => m !== 'GET' && m !== 'HEAD');
    if (writes.length > 0) route.review.push(`public for ${writes.join(', ')} too: anyone may call it without a token`);
    if (route.params.length > 0) route.review.push(`public with parameters (${route.params.map((p) => `:${p}`).join(', ')}): anyone may ask for any value`);
  }
}

/** Fills `suggestPublic` on protected routes that look like they are meant to be open. */
export function suggestPublicRoutes(routes: readonly PlannedRoute[]): void {
  for (const route of routes) {
    if (route.public) continue;
    const unsecured = route.unsecured.length;
    if (unsecured > 0 && unsecured === route.methods.length && route.owner === undefined) {
      route.suggestPublic = 'the document says it needs no authentication (security: [])';
    } else if (unsecured > 0) {
      route.review.push(`the document marks ${route.unsecured.join(', ')} as needing no authentication; a route is public for all its methods, so it stays protected`);
    } else if (route.params.length === 0) {
      const last = route.path.split('/').filter(Boolean).pop()?.toLowerCase() ?? '';
      if (HEALTH.has(last)) route.suggestPublic = 'it looks like a health or status check';
      else if (DOCS.has(last)) route.suggestPublic = 'it looks like API documentation';
    }
  }
}
