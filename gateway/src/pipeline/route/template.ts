// Route templates as written in the config: "/api/:user_id/tasks/:id". A segment is a literal
// or a whole-segment ":name" parameter; nothing a router could read as a wildcard, a regex or
// an encoding is allowed, so the template means the same thing to every reader.

export type Segment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'param'; readonly name: string };

export type TemplateResult = { readonly ok: true; readonly segments: readonly Segment[] } | { readonly ok: false; readonly problems: readonly string[] };

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** RFC 3986 pchar without '%' (no encodings), ';' (matrix params), ':' (params), '(' ')' '*' (router syntax). */
const LITERAL = /^[A-Za-z0-9\-._~!$&'+,=@]+$/;

const FORBIDDEN: ReadonlyArray<readonly [string, string]> = [
  ['%', 'percent-encoding ("%") is not allowed; write the decoded character, requests are matched after decoding'],
  [';', '";" is not allowed (path parameters are refused by the gateway)'],
  ['?', '"?" is not allowed: a route matches a path, never a query'],
  ['#', '"#" is not allowed: fragments never reach a server'],
  ['\\', '"\\" is not allowed'],
  ['*', '"*" is not allowed: wildcards could match more than intended; list each path'],
];

/**
 * Splits and checks a template. A trailing slash is allowed and is part of the path
 * ("/a/" and "/a" are different routes, as the gateway matches them); no other empty segment is.
 */
export function parseRouteTemplate(template: string): TemplateResult {
  const problems: string[] = [];
  if (!template.startsWith('/')) return { ok: false, problems: ['must start with "/"'] };
  for (const [ch, why] of FORBIDDEN) if (template.includes(ch)) problems.push(why);
  if (/\s/.test(template)) problems.push('must not contain whitespace');
  if (problems.length > 0) return { ok: false, problems };
  // The root path has no segments, exactly as the request parser splits "/".
  if (template === '/') return { ok: true, segments: [] };

  const parts = template.slice(1).split('/');
  const segments: Segment[] = [];
  const seen = new Set<string>();
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part === '') {
      // "/" alone, or a trailing slash: an empty final segment. "//" anywhere else is ambiguous.
      if (last) segments.push({ kind: 'literal', value: '' });
      else problems.push('must not contain an empty segment ("//")');
      return;
    }
    if (part === '.' || part === '..') {
      problems.push(`must not contain a "${part}" segment`);
      return;
    }
    if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!PARAM_NAME.test(name)) {
        problems.push(`parameter ${JSON.stringify(part)} must be ":" followed by a name of letters, digits and "_" (not starting with a digit), filling the whole segment`);
        return;
      }
      if (seen.has(name)) problems.push(`parameter ":${name}" appears twice`);
      seen.add(name);
      segments.push({ kind: 'param', name });
      return;
    }
    if (!LITERAL.test(part)) {
      problems.push(`segment ${JSON.stringify(part)} may contain only letters, digits and - . _ ~ ! $ & ' + , = @ (":" only to start a parameter)`);
      return;
    }
    segments.push({ kind: 'literal', value: part });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, segments };
}

/** The template with parameter names erased: two templates with the same shape match the same requests. */
export function templateShape(segments: readonly Segment[]): string {
  return '/' + segments.map((s) => (s.kind === 'param' ? ':' : s.value)).join('/');
}
