// What Node's parser refuses before the handler runs is still answered in the contract's format
// (serving/client-error.ts), over a real socket: 400 malformed_request, 431 headers_too_large,
// 408 request_timeout — JSON body with a request id, Connection: close, nothing forwarded.
import { describe, expect, it } from 'vitest';
import { clientErrorAnswer, clientErrorReason } from '../../src/serving/client-error.js';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf } from '../support/threat-kit.js';

const CRLF = '\r\n';
const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url, 'limits: { header_timeout: 1s, request_timeout: 1s }'));
const alice = await hs256Token('alice');

function expectContractAnswer(reply: { status: number; raw: string; body: string }, status: number, reason: string): void {
  expect(reply.status, reply.raw.slice(0, 300)).toBe(status);
  const head = reply.raw.slice(0, reply.raw.indexOf(CRLF + CRLF)).toLowerCase();
  expect(head).toContain('content-type: application/json; charset=utf-8');
  expect(head).toContain('connection: close');
  const body = JSON.parse(reply.body) as Record<string, string>;
  expect(body).toMatchObject({ reason });
  expect(body['request_id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(head).toContain(`x-request-id: ${body['request_id']}`);
  expect(reply.raw).not.toContain(alice);
}

describe('the parser\'s refusals, in the gateway\'s format', () => {
  it('a malformed request line → 400 malformed_request', async () => {
    const reply = await sendRaw(gateway.url, `GET /api/alice/tasks HTTP/1.1 trailing${CRLF}Host: ${hostOf(gateway.url)}${CRLF}${CRLF}`);
    expectContractAnswer(reply, 400, 'malformed_request');
    expect(upstream.requests).toEqual([]);
  });

  it('headers over 16 KiB → 431 headers_too_large, the token never echoed', async () => {
    const reply = await sendRaw(gateway.url, `GET /api/alice/tasks HTTP/1.1${CRLF}Host: ${hostOf(gateway.url)}${CRLF}Authorization: Bearer ${alice}${CRLF}X-Big: ${'a'.repeat(20 * 1024)}${CRLF}${CRLF}`);
    expectContractAnswer(reply, 431, 'headers_too_large');
    expect(upstream.requests).toEqual([]);
  });

  it('headers that never finish → 408 request_timeout after header_timeout', async () => {
    const reply = await sendRaw(gateway.url, `GET /api/alice/tasks HTTP/1.1${CRLF}Host: ${hostOf(gateway.url)}${CRLF}Authorization: Bearer ${alice}${CRLF}`);
    expectContractAnswer(reply, 408, 'request_timeout');
    expect(upstream.requests).toEqual([]);
  });
});

describe('clientErrorReason', () => {
  it('maps the parser\'s codes, anything unknown to malformed_request', () => {
    expect(clientErrorReason('HPE_HEADER_OVERFLOW')).toBe('headers_too_large');
    expect(clientErrorReason('ERR_HTTP_REQUEST_TIMEOUT')).toBe('request_timeout');
    expect(clientErrorReason('HPE_INVALID_METHOD')).toBe('malformed_request');
    expect(clientErrorReason(undefined)).toBe('malformed_request');
  });

  it('writes a complete HTTP/1.1 answer whose Content-Length is the body\'s', () => {
    const answer = clientErrorAnswer('headers_too_large', 'id-1');
    const [head, body] = answer.split(CRLF + CRLF) as [string, string];
    expect(head.split(CRLF)[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(head).toContain(`content-length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ error: 'request_header_fields_too_large', reason: 'headers_too_large', message: 'The request headers are too large.', request_id: 'id-1' });
  });
});
