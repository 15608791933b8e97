// The upstream's address never reaches a client in a response header (nginx's
// `proxy_redirect default`, applied to every header that can carry a URL).
//
// Each URL is parsed as a browser would resolve it (WHATWG URL) and compared by origin, not as
// text: `HTTP://UP:8000`, `http://user@up:8000`, `http://up:8000\evil` (a browser reads `\` as
// `/`), `http://up:80` next to `http://up`, `//up:8000` and `http://2130706433:8000` all name
// the same server. When the upstream is a loopback address, every loopback spelling
// (`localhost`, `127.x.y.z`, `[::1]`, `[::ffff:127.0.0.1]`) names it too. A URL that names the
// upstream becomes the same path, query and fragment on the origin the client used (or a
// relative reference when that origin is unknown); every other URL is left byte for byte.

import { isLoopbackHost } from '../config/network.js';

/** Every response header that can carry the upstream's origin, and how its URLs are found. */
export const ORIGIN_HEADERS: ReadonlyMap<string, 'url' | 'refresh' | 'link'> = new Map([
  ['location', 'url'],
  ['content-location', 'url'],
  ['refresh', 'refresh'],
  ['link', 'link'],
] as const);

/** A host no URL of the upstream can have: what a relative reference resolves to. */
const SENTINEL_HOST = 'relative.gateway.invalid';
/** A reference is read both ways: a browser resolves `http:/x` against its own scheme. */
const BASES = [`http://${SENTINEL_HOST}/`, `https://${SENTINEL_HOST}/`];

export type RewriteUrl = (reference: string, clientOrigin: string | undefined) => string;

/** The rewriter for one upstream origin, e.g. `http://127.0.0.1:8000`. */
export function createUrlRewriter(upstreamOrigin: string): RewriteUrl {
  const upstream = new URL(upstreamOrigin);
  const port = effectivePort(upstream);
  const loopback = isLoopbackHost(upstream.hostname);
  const namesUpstream = (url: URL): boolean =>
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    effectivePort(url) === port &&
    (url.hostname === upstream.hostname || (loopback && isLoopbackHost(url.hostname)));

  return (reference, clientOrigin) => {
    if (isPathAbsolute(reference)) return reference;
    for (const base of BASES) {
      let url: URL;
      try {
        url = new URL(reference, base);
      } catch {
        return reference; // not a URL a browser could follow either
      }
      if (url.hostname === SENTINEL_HOST || !namesUpstream(url)) continue;
      const rest = url.pathname + url.search + url.hash;
      if (clientOrigin !== undefined) return clientOrigin + rest;
      // `//evil/x` as a relative reference would name another host: keep it a path.
      return rest.startsWith('//') ? `/.${rest}` : rest;
    }
    return reference;
  };
}

const TAB_OR_NEWLINE = /[\t\n\r]/;

/**
 * `/api/u/tasks/7`, what services put in Location: a path on whatever host the reference is read
 * against, so it can never name the upstream, and it needs no parse (two per reference, the most
 * a rewrite costs). Exactly the references the parser reads that way: a `/` not followed by `/` or
 * `\` (either would start an authority), with no tab or newline anywhere (the parser drops them
 * first: `/\t/host` is `//host`). A `/` first means no leading space or control to strip either.
 */
function isPathAbsolute(reference: string): boolean {
  if (reference.charCodeAt(0) !== 0x2f) return false;
  const second = reference.charCodeAt(1);
  return second !== 0x2f && second !== 0x5c && !TAB_OR_NEWLINE.test(reference);
}

function effectivePort(url: URL): string {
  return url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
}

/** One header value with every URL in it rewritten; `kind` from ORIGIN_HEADERS. */
export function rewriteHeaderValue(kind: 'url' | 'refresh' | 'link', value: string, rewrite: RewriteUrl, clientOrigin: string | undefined): string {
  if (kind === 'url') return rewrite(value, clientOrigin);
  if (kind === 'refresh') return rewriteRefresh(value, rewrite, clientOrigin);
  return rewriteLink(value, rewrite, clientOrigin);
}

/**
 * `Refresh: 5; url=https://…` as HTML's declarative refresh reads it: a time, an optional `;`
 * or `,`, an optional `url=`, then the URL, optionally quoted.
 */
const REFRESH = /^(\s*[0-9][0-9.]*\s*(?:[;,]\s*)?(?:url\s*=\s*)?)(['"]?)(.*)$/is;

function rewriteRefresh(value: string, rewrite: RewriteUrl, clientOrigin: string | undefined): string {
  const match = REFRESH.exec(value);
  if (!match) return value;
  const [, prefix = '', quote = '', rest = ''] = match;
  const end = quote === '' ? rest.length : rest.indexOf(quote);
  const url = (end < 0 ? rest : rest.slice(0, end)).trim();
  if (url === '') return value;
  const after = end < 0 ? '' : rest.slice(end);
  return `${prefix}${quote}${rewrite(url, clientOrigin)}${after}`;
}

/**
 * `Link: <https://…>; rel=next, <…>; rel=prev; anchor="…"` (RFC 8288): every `<target>`, and
 * the `anchor` parameter (a URL too), outside quoted strings.
 */
function rewriteLink(value: string, rewrite: RewriteUrl, clientOrigin: string | undefined): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c === '<') {
      const close = value.indexOf('>', i + 1);
      if (close < 0) return out + value.slice(i);
      out += `<${rewrite(value.slice(i + 1, close), clientOrigin)}>`;
      i = close + 1;
    } else if (c === '"') {
      const close = quotedEnd(value, i);
      const text = value.slice(i, close);
      const complete = text.length >= 2 && text.endsWith('"');
      out += complete && /anchor\s*=\s*$/i.test(out) ? `"${rewrite(text.slice(1, -1), clientOrigin)}"` : text;
      i = close;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the quoted-string that starts at `start` (backslash escapes honoured). */
function quotedEnd(value: string, start: number): number {
  for (let i = start + 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i + 1;
  }
  return value.length;
}
