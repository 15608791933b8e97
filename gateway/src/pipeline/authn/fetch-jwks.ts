// The one HTTP GET of a key set. Everything that could make it unsafe is refused here:
// redirects (a key URL must not be steerable), bodies over the size cap (decompressed bytes
// are counted, so a gzip bomb stops too), non-200 answers, non-JSON. The caller's signal
// bounds the whole exchange, headers and body alike.

/** Larger key sets are refused: real ones are a few kilobytes. */
export const MAX_JWKS_BYTES = 1024 * 1024;

export type FetchJwks = (url: string, signal: AbortSignal) => Promise<unknown>;

export const fetchJwksOverHttp: FetchJwks = async (url, signal) => {
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error('key set URL must be http(s)');
  const response = await fetch(url, { method: 'GET', redirect: 'error', signal, headers: { accept: 'application/json' } });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`key set endpoint answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_JWKS_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error('key set too large');
  }
  return JSON.parse(await readCapped(response, MAX_JWKS_BYTES));
};

async function readCapped(response: Response, cap: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      throw new Error('key set too large');
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}
