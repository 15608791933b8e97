// A config section as canonical JSON: keys sorted, Sets and Maps as arrays, functions left out.
// Two sections are the same when their canonical JSON is; the config hash is made from it.

export interface CanonicalOptions {
  /** Replace secret values (the hash is published; equality checks must see them). */
  readonly redactSecrets?: boolean;
}

/** Key names whose string values are secrets (`secret`, an admin `token`, a `password`). */
const SECRET_KEY = /secret|token|password|credential/i;
/** `scheme://user:password@host`: the user information of a URL is a secret too. */
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

export function canonicalJson(value: unknown, options: CanonicalOptions = {}): string {
  return JSON.stringify(canonical(value, options.redactSecrets === true, undefined)) ?? 'null';
}

function canonical(value: unknown, redact: boolean, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (!redact) return value;
    if (key !== undefined && SECRET_KEY.test(key)) return '<redacted>';
    return value.replace(URL_USERINFO, '$1<redacted>@');
  }
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => canonical(item, redact, key) ?? null);
  if (value instanceof Set) return [...value].map((item) => canonical(item, redact, key) ?? null);
  if (value instanceof Map) return [...value].map(([k, v]) => [canonical(k, redact, undefined), canonical(v, redact, String(k))]);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value).sort()) {
    const child = canonical((value as Record<string, unknown>)[name], redact, name);
    if (child !== undefined) out[name] = child;
  }
  return out;
}
