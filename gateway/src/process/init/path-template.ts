// One OpenAPI path → one gateway route template: `/api/{user_id}/tasks` → `/api/:user_id/tasks`.
// Only the OpenAPI-specific part is decided here (a `{param}` must fill its segment, a literal
// must not read as a parameter); whether the result is a template at all is the gateway's own
// parser's call, so init can never write a path the gateway would read differently.
import { parseRouteTemplate, type Segment } from '../../pipeline/route/index.js';

export type Translation =
  | { readonly ok: true; readonly template: string; readonly segments: readonly Segment[]; readonly params: readonly string[] }
  | { readonly ok: false; readonly reasons: readonly string[] };

const WHOLE_PARAM = /^\{([^{}]*)\}$/;

/** `basePath` is "" or "/v1" (no trailing slash): the path part of the document's server URL. */
export function translatePath(openapiPath: string, basePath: string): Translation {
  if (!openapiPath.startsWith('/')) return { ok: false, reasons: ['does not start with "/" (OpenAPI paths must)'] };
  const reasons: string[] = [];
  const parts = openapiPath.slice(1).split('/').map((segment) => {
    const param = WHOLE_PARAM.exec(segment);
    if (param) return `:${param[1]}`;
    if (segment.includes('{') || segment.includes('}')) {
      reasons.push(
        `segment ${JSON.stringify(segment)} mixes a parameter with other text; a gateway parameter is a whole segment, ` +
          'so this path cannot be expressed (a whole-segment parameter there would also match other names — route it by hand if that is acceptable)',
      );
    } else if (segment.startsWith(':')) {
      reasons.push(`segment ${JSON.stringify(segment)} starts with ":", which a gateway template reads as a parameter, not as the literal text`);
    }
    return segment;
  });
  if (reasons.length > 0) return { ok: false, reasons };

  const template = `${basePath}/${parts.join('/')}`;
  const parsed = parseRouteTemplate(template);
  if (!parsed.ok) return { ok: false, reasons: parsed.problems.map((problem) => `as the gateway template ${template}: ${problem}`) };
  const params = parsed.segments.flatMap((s) => (s.kind === 'param' ? [s.name] : []));
  return { ok: true, template, segments: parsed.segments, params };
}
