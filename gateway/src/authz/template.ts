// Route templates as written in the config (`/api/:user_id/tasks/:id`), checked and split once.
// A literal segment is compared with the request's *decoded* segment, so it must be a spelling
// the request parser can produce: no `%`, `;`, `\`, `?`, `#`, dot segments or empty segments
// (except one trailing `''`, which is how a trailing slash is spelled).

export type TemplateSegment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'param'; readonly name: string };

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 3986 pchar without pct-encoded and without `;` (refused in requests).
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,=:@]+$/;

/** Split a template into segments, or say what is wrong with it. */
export function parseTemplate(template: string): { ok: true; segments: readonly TemplateSegment[] } | { ok: false; problem: string } {
  if (!template.startsWith('/')) return { ok: false, problem: 'must start with "/"' };
  if (template === '/') return { ok: true, segments: [] };
  const parts = template.slice(1).split('/');
  const segments: TemplateSegment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') {
      if (i === parts.length - 1) {
        segments.push({ kind: 'literal', value: '' });
        continue;
      }
      return { ok: false, problem: 'has an empty segment ("//")' };
    }
    if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!PARAM_NAME.test(name)) return { ok: false, problem: `parameter "${part}" must be ":" followed by letters, digits or "_"` };
      if (names.has(name)) return { ok: false, problem: `parameter ":${name}" appears twice` };
      names.add(name);
      segments.push({ kind: 'param', name });
      continue;
    }
    if (part === '.' || part === '..') return { ok: false, problem: 'has a "." or ".." segment' };
    if (!LITERAL.test(part)) return { ok: false, problem: `segment "${part}" has a character a request path could not match literally` };
    segments.push({ kind: 'literal', value: part });
  }
  return { ok: true, segments };
}
