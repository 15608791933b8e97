// HTTP/1.1 as the interleaved client writes and reads it: each planned request formatted once as
// the bytes sent, and where the first complete response in what arrived ends.
import type { PlannedRequest } from './mix.js';

/** Formats the plan's requests for one target as the bytes sent (Host is the target's). */
export function formatRequests(url: string, plan: readonly PlannedRequest[]): Buffer[] {
  const host = new URL(url).host;
  return plan.map((r) => {
    const lines = [`${r.method} ${r.path} HTTP/1.1`, `Host: ${host}`];
    for (const [name, value] of Object.entries(r.headers)) lines.push(`${name}: ${value}`);
    if (r.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(r.body)}`);
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${r.body ?? ''}`, 'latin1');
  });
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: |$)/;

/**
 * The status and length of the first complete HTTP/1.1 response in `data`, or undefined if it is
 * not all there yet. Throws on what the bench's targets never send — a head that is no status
 * line (the stream is out of step), a bad chunk size, a body framed by the connection's close —
 * so a broken target stops the run instead of skewing it.
 */
export function completeResponse(data: Buffer): { status: number; length: number; close: boolean } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const head = data.toString('latin1', 0, headEnd);
  const statusLine = STATUS_LINE.exec(head);
  if (!statusLine) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify(head.slice(0, 40))}`);
  const status = Number(statusLine[1]);
  const close = /\r\nconnection:[^\r]*\bclose\b/i.test(head);
  const bodyStart = headEnd + 4;
  // Chunked wins over a Content-Length beside it (RFC 9112 §6.3).
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    let at = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd === -1) return undefined;
      const size = parseInt(data.toString('latin1', at, lineEnd), 16);
      if (!Number.isFinite(size)) throw new Error('malformed chunked response');
      if (size === 0) {
        const end = data.indexOf('\r\n\r\n', lineEnd);
        return end === -1 ? undefined : { status, length: end + 4, close };
      }
      at = lineEnd + 2 + size + 2;
      if (at > data.length) return undefined;
    }
  }
  const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (lengthMatch) {
    const length = bodyStart + Number(lengthMatch[1]);
    return data.length >= length ? { status, length, close } : undefined;
  }
  if (status < 200 || status === 204 || status === 304) return { status, length: bodyStart, close };
  throw new Error(`a ${status} response with neither Content-Length nor chunked framing`);
}
