// The document's bytes, from a file or an http(s) URL, bounded in size and time. Nothing here
// knows about OpenAPI; read-document.ts turns the text into a document.
import { readFile, stat } from 'node:fs/promises';
import { InitError, refusal, usageError } from './init-error.js';

/** Far above any real API description, far below what would hurt. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
export const FETCH_TIMEOUT_MS = 15_000;

export interface SourceText {
  readonly text: string;
  /** What to call the source in messages and in the generated file: no user:password, no query. */
  readonly label: string;
  /** Set when the document was fetched: the URL it finally came from (after redirects). */
  readonly url?: URL;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** A URL as it may be printed: a query string can hold an API key, so it is never shown. */
export function printableUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`;
}

export async function readSource(spec: string, fetchImpl: typeof fetch): Promise<SourceText> {
  if (!SCHEME.test(spec)) return readLocalFile(spec);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw usageError(`--openapi ${JSON.stringify(spec)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--openapi: only http:// and https:// URLs, or a file path (got ${url.protocol}//)`);
  if (url.username !== '' || url.password !== '') throw usageError('--openapi: the URL must not contain a user name or password (they would end up in shell history and in the generated file)');
  return fetchDocument(url, fetchImpl);
}

async function readLocalFile(file: string): Promise<SourceText> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw refusal(`cannot read ${file}: not a regular file`);
    if (info.size > MAX_DOCUMENT_BYTES) throw refusal(`cannot read ${file}: ${info.size} bytes is more than the ${MAX_DOCUMENT_BYTES}-byte limit for an OpenAPI document`);
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof InitError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw refusal(`cannot read ${file}: ${why}`);
  }
  return { text: decodeUtf8(bytes, file), label: file };
}

async function fetchDocument(url: URL, fetchImpl: typeof fetch): Promise<SourceText> {
  const label = printableUrl(url);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { accept: 'application/json, application/yaml;q=0.9, text/yaml;q=0.9, */*;q=0.1' },
    });
  } catch (error) {
    throw refusal(`cannot fetch ${label}: ${networkReason(error)}`);
  }
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel().catch(() => {});
    throw refusal(`cannot use ${label}: it answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}, not a 2xx with the document`);
  }
  const bytes = await readBounded(response, label);
  const finalUrl = response.url ? new URL(response.url) : url;
  return { text: decodeUtf8(bytes, label), label, url: finalUrl };
}

async function readBounded(response: Response, label: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_DOCUMENT_BYTES) {
        await reader.cancel().catch(() => {});
        throw refusal(`cannot use ${label}: the document is larger than the ${MAX_DOCUMENT_BYTES}-byte limit`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof InitError) throw error;
    throw refusal(`cannot fetch ${label}: ${networkReason(error)}`);
  }
  return Buffer.concat(chunks);
}

/** "connection refused" rather than undici's "fetch failed". */
function networkReason(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no complete answer within ${FETCH_TIMEOUT_MS / 1000}s`;
  const code = err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the service running, on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed before the document arrived';
  if (code !== undefined && (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')) return `TLS error (${code})`;
  return err?.cause?.message ?? err?.message ?? String(error);
}

function decodeUtf8(bytes: Buffer, label: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refusal(`${label} is not a JSON or YAML document: it is not UTF-8 text`);
  }
  return text; // TextDecoder has already dropped a byte-order mark
}
