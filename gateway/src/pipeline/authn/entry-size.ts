// What one verified-token cache entry costs in memory, estimated without walking the claims:
// the token string (V8 keeps ASCII at one byte per character) plus its decoded claims, which
// grow with it — measured on Node 20 at 1.8–2.7 times the token's length for the whole entry,
// from a 320-character Better Auth token to 27 KB tokens full of roles — so 3 bytes per
// character, plus a fixed amount for the entry, identity and Map slot. An over-estimate errs
// towards a smaller cache, never a larger one.

/** Bytes counted per character of the token (the string and the claims decoded from it). */
export const BYTES_PER_TOKEN_CHAR = 3;
/** Bytes counted for every entry besides the token: entry and identity objects, Map slot. */
export const ENTRY_OVERHEAD_BYTES = 256;

export function entryBytes(token: string): number {
  return token.length * BYTES_PER_TOKEN_CHAR + ENTRY_OVERHEAD_BYTES;
}
