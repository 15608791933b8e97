// What Node's HTTP parser refuses before the gateway's handler runs (a malformed request line or
// header, headers past the 16 KiB limit, a request whose headers or whole self took longer than
// limits.header_timeout / limits.request_timeout) is still answered in the contract's format:
// the error body of errors/reasons.ts, `Connection: close`, never a token or header echoed back.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { deny, errorResponse, type Reason } from '../errors/reasons.js';
import { LINGER_MS } from '../proxy/linger.js';

/** Node's parser error codes for headers that are too large; anything else is a malformed request. */
const TOO_LARGE = new Set(['HPE_HEADER_OVERFLOW']);
const TIMED_OUT = new Set(['ERR_HTTP_REQUEST_TIMEOUT', 'ERR_HTTP_HEADERS_TIMEOUT']);

export function clientErrorReason(code: string | undefined): Reason {
  if (code !== undefined && TOO_LARGE.has(code)) return 'headers_too_large';
  if (code !== undefined && TIMED_OUT.has(code)) return 'request_timeout';
  return 'malformed_request';
}

/** The whole answer, bytes on the wire: the parser's state is gone, so no ServerResponse exists. */
export function clientErrorAnswer(reason: Reason, requestId: string): string {
  const response = errorResponse(deny(reason), { requestId, realm: '' });
  const body = JSON.stringify(response.body);
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(response.headers)) head += `${name}: ${value}\r\n`;
  head += `x-request-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  return head + body;
}

/**
 * Answers and closes, lingering (as proxy/linger.ts does after a refused body) so the client
 * reads the answer rather than a reset for the bytes it is still sending. A socket the client
 * already broke, or one an answer is already being written on, is only closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable || socket.destroyed) return void socket.destroy();
  // An answer already on its way on this socket: nothing can follow it cleanly (Node's own rule).
  if ((socket as Socket & { _httpMessage?: { _headerSent?: boolean } })._httpMessage?._headerSent) return void socket.destroy();
  socket.end(clientErrorAnswer(clientErrorReason(error.code), randomUUID()));
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
}
