// The one rule for an allowed origin as configured: scheme://host[:port], http or https, nothing
// else, normalised to the form browsers send in Origin (lower-case host, no default port). The
// config reader reports these problems by key path; the policy refuses the same entries.

export type OriginCheck = { readonly ok: true; readonly origin: string } | { readonly ok: false; readonly problem: string };

export function normaliseOrigin(entry: string): OriginCheck {
  if (entry === '*') return { ok: false, problem: '"*" is refused: requests carry credentials (Authorization), so list each allowed origin' };
  if (entry === 'null') return { ok: false, problem: '"null" is refused: sandboxed and file:// pages all send it, so it identifies nobody' };
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return { ok: false, problem: 'must be an absolute http:// or https:// URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: `must use http or https, not ${url.protocol.slice(0, -1)}` };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'must not contain a user name or password' };
  if (url.pathname !== '/' || entry.includes('?') || entry.includes('#')) return { ok: false, problem: 'must be scheme://host[:port] only, with no path, query or fragment' };
  if (entry.endsWith('/')) return { ok: false, problem: 'must not end with "/": browsers send Origin as scheme://host[:port]' };
  return { ok: true, origin: url.origin };
}
