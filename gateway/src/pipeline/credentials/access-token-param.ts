// Does a raw query carry an `access_token` parameter, in any spelling a server behind the
// gateway could read as that name? Such a parameter is a second credential (RFC 6750 §2.3):
// next to an Authorization header it is refused (bearer.ts), and alone it is never a credential.
//
// A parameter's name is read the way PHP reads it (`$_GET`, `parse_str`), the most forgiving
// common server, after one round of URL decoding (`+` is a space, `%XX` a byte):
// - leading spaces are dropped (`?+access_token=`, `?%20access_token=`);
// - ` `, `.` and an unclosed `[` stand for `_` (`access.token`, `access+token`, `access[token`),
//   while `access[token]` is the array `access` and not the credential;
// - a decoded NUL ends the name (`access_token%00x`: PHP's C strings stop there);
// - `access_token[…]` is the array `access_token`, a credential all the same.
// On top of PHP, letters compare ignoring ASCII case: PHP is case-sensitive, but ASP.NET and other
// frameworks bind query names case-insensitively. Broader than any one server on purpose: a false
// positive costs a 400, a false negative forwards a credential in a URL.
//
// Parameters are split on `&` and `;` (older servers split on both). One pass, no allocation.

const NAME = 'access_token';
const UNDERSCORE = 0x5f;
const SP = 0x20;
const DOT = 0x2e;
const OPEN_BRACKET = 0x5b;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

function isSeparator(c: number): boolean {
  return c === 0x26 || c === 0x3b; // & ;
}

/** Does decoded byte `c` stand for the name's character `t` (`_` has three stand-ins)? */
function standsFor(c: number, t: number): boolean {
  if (t === UNDERSCORE) return c === UNDERSCORE || c === SP || c === DOT || c === OPEN_BRACKET;
  return c === t || (c | 0x20) === t;
}

type State = 'leading' | 'matching' | 'failed' | 'matched';

/** `query` with or without its leading `?`. */
export function hasAccessTokenParam(query: string): boolean {
  const n = query.length;
  let i = n > 0 && query.charCodeAt(0) === 0x3f ? 1 : 0;
  while (i < n) {
    // At the start of one parameter's name.
    let matched = 0;
    let state: State = 'leading';
    for (; i < n; i++) {
      let c = query.charCodeAt(i);
      if (isSeparator(c) || c === 0x3d) break; // the name ends at & ; =
      if (state === 'failed' || state === 'matched') continue;
      if (c === 0x2b) {
        c = SP;
      } else if (c === 0x25 && i + 2 < n && isHex(query.charCodeAt(i + 1)) && isHex(query.charCodeAt(i + 2))) {
        c = hexValue(query.charCodeAt(i + 1)) * 16 + hexValue(query.charCodeAt(i + 2));
        i += 2;
      }
      if (c === 0) {
        // PHP's name ends here: what came before decides.
        state = matched === NAME.length ? 'matched' : 'failed';
        continue;
      }
      if (state === 'leading') {
        if (c === SP) continue;
        state = 'matching';
      }
      if (matched < NAME.length) {
        if (standsFor(c, NAME.charCodeAt(matched))) matched++;
        else state = 'failed';
      } else {
        // `access_token[…]`: PHP's array syntax, the same name.
        state = c === OPEN_BRACKET ? 'matched' : 'failed';
      }
    }
    if (state === 'matched' || (state === 'matching' && matched === NAME.length)) return true;
    // Skip the value, up to the next separator.
    while (i < n && !isSeparator(query.charCodeAt(i))) i++;
    i++;
  }
  return false;
}
