// proxy/request-headers.ts: what the upstream receives of the client's headers. First the
// client's own copies of everything the gateway owns are removed, then the gateway's headers
// are set, ahead of the client's so padding can never push them out of the upstream's view.

import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildUpstreamHeaders, type UpstreamHeaderInputs, type UpstreamHeaderPolicy } from '../../src/proxy/request-headers.js';

/** A request as Node's parser hands it over: raw name/value pairs, the parsed Host, the peer. */
function request(rawHeaders: string[], socket: { remoteAddress?: string } = { remoteAddress: '127.0.0.1' }): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!.toLowerCase()] ??= rawHeaders[i + 1]!;
  return { rawHeaders, headers, socket } as unknown as IncomingMessage;
}

const POLICY: UpstreamHeaderPolicy = { identityHeaders: new Set(['x-user-id', 'x-user-email']), forwardAuthorization: true };
const ALICE: UpstreamHeaderInputs = { requestId: 'req-1', identity: [['x-user-id', 'alice'], ['x-user-email', 'alice@example.com']], peerTrusted: false, protocol: 'http' };

function build(rawHeaders: string[], inputs: Partial<UpstreamHeaderInputs> = {}, policy: Partial<UpstreamHeaderPolicy> = {}, peer?: string): string[] {
  return buildUpstreamHeaders(request(rawHeaders, peer === undefined ? undefined : { remoteAddress: peer }), { ...POLICY, ...policy }, { ...ALICE, ...inputs });
}

/** The flat list as pairs, names lower-cased, for order-sensitive comparisons. */
function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!.toLowerCase(), flat[i + 1]!]);
  return out;
}

function valuesOf(flat: string[], name: string): string[] {
  return pairs(flat).filter(([n]) => n === name).map(([, v]) => v);
}

describe('strip, then inject', () => {
  it('removes the client\'s identity, forwarding and request-id headers and sets the gateway\'s, identity first', () => {
    const out = build([
      'Host', 'gw.example:8080',
      'X-User-Id', 'bob',
      'x-user-email', 'bob@example.com',
      'X-Forwarded-For', '6.6.6.6',
      'X-Request-Id', 'client-chosen',
      'Accept', 'application/json',
    ]);
    expect(pairs(out)).toEqual([
      ['x-user-id', 'alice'],
      ['x-user-email', 'alice@example.com'],
      ['x-forwarded-for', '127.0.0.1'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'gw.example:8080'],
      ['x-request-id', 'req-1'],
      ['accept', 'application/json'],
    ]);
  });

  it('strips configured identity names in any case even when nothing is injected (a public route)', () => {
    const out = build(['Host', 'gw', 'X-USER-ID', 'bob', 'x-User-Email', 'bob@example.com'], { identity: [] });
    expect(valuesOf(out, 'x-user-id')).toEqual([]);
    expect(valuesOf(out, 'x-user-email')).toEqual([]);
  });

  it('keeps the client\'s other headers in their order, duplicates and casing as sent', () => {
    const out = build(['Host', 'gw', 'X-Tag', 'one', 'Accept', '*/*', 'x-tag', 'two']);
    const client = out.slice(out.indexOf('req-1') + 1);
    expect(client).toEqual(['X-Tag', 'one', 'Accept', '*/*', 'x-tag', 'two']);
  });

  it('puts every gateway header ahead of a thousand client headers', () => {
    const filler = Array.from({ length: 1000 }, (_, i) => [`X-Filler-${i}`, 'x']).flat();
    const out = build(['Host', 'gw', ...filler]);
    expect(pairs(out).slice(0, 6).map(([n]) => n)).toEqual(['x-user-id', 'x-user-email', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id']);
  });
});

describe('headers a client may never set', () => {
  it('drops every name holding "_" (WSGI/CGI read X_User_Id as X-User-Id)', () => {
    const out = build(['Host', 'gw', 'X_User_Id', 'bob', 'x-user_email', 'bob@example.com', 'Some_Header', 'v']);
    expect(pairs(out).filter(([n]) => n.includes('_'))).toEqual([]);
    expect(valuesOf(out, 'x-user-id')).toEqual(['alice']);
  });

  it('drops Host, Expect, rewrite and method-override headers', () => {
    const stripped = ['Expect', 'X-Original-URL', 'X-Rewrite-URL', 'X-Forwarded-Prefix', 'X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override'];
    const out = build(['Host', 'gw', ...stripped.flatMap((name) => [name, '/api/bob/tasks'])]);
    for (const name of [...stripped, 'Host']) expect(valuesOf(out, name.toLowerCase()), name).toEqual([]);
  });

  it('drops hop-by-hop headers', () => {
    const hop = ['Connection', 'Keep-Alive', 'Proxy-Connection', 'Proxy-Authorization', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade'];
    const out = build(['Host', 'gw', ...hop.flatMap((name) => [name, 'x'])]);
    for (const name of hop) expect(valuesOf(out, name.toLowerCase()), name).toEqual([]);
  });

  it('drops headers named in Connection, but never the framing headers Content-Length and Content-Type', () => {
    const out = build(['Host', 'gw', 'Connection', 'keep-alive, X-Secret', 'connection', ' X-Other ,Content-Length, content-type', 'X-Secret', 's', 'X-Other', 'o', 'Content-Length', '2', 'Content-Type', 'application/json']);
    expect(valuesOf(out, 'x-secret')).toEqual([]);
    expect(valuesOf(out, 'x-other')).toEqual([]);
    expect(valuesOf(out, 'content-length')).toEqual(['2']);
    expect(valuesOf(out, 'content-type')).toEqual(['application/json']);
  });

  it('a Connection header naming an identity header cannot remove the injected one', () => {
    const out = build(['Host', 'gw', 'Connection', 'X-User-Id']);
    expect(valuesOf(out, 'x-user-id')).toEqual(['alice']);
  });
});

describe('Authorization', () => {
  it('is passed on by default and dropped with forward_authorization: false', () => {
    expect(valuesOf(build(['Host', 'gw', 'Authorization', 'Bearer t']), 'authorization')).toEqual(['Bearer t']);
    expect(valuesOf(build(['Host', 'gw', 'Authorization', 'Bearer t'], {}, { forwardAuthorization: false }), 'authorization')).toEqual([]);
  });
});

describe('forwarding headers and trust_proxy', () => {
  const sent = [
    'Host', 'gw.example',
    'X-Forwarded-For', '6.6.6.6',
    'x-forwarded-for', '7.7.7.7',
    'X-Forwarded-Proto', 'https',
    'X-Forwarded-Proto', 'gopher',
    'X-Forwarded-Host', 'app.example',
    'X-Forwarded-Port', '443',
    'Forwarded', 'for=6.6.6.6',
    'X-Real-IP', '6.6.6.6',
  ];

  it('an untrusted peer: every forwarding header it sent is removed, the gateway\'s describe the real connection', () => {
    const out = build(sent, { peerTrusted: false });
    expect(valuesOf(out, 'x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(valuesOf(out, 'x-forwarded-proto')).toEqual(['http']);
    expect(valuesOf(out, 'x-forwarded-host')).toEqual(['gw.example']);
    for (const name of ['x-forwarded-port', 'forwarded', 'x-real-ip']) expect(valuesOf(out, name), name).toEqual([]);
  });

  it('a trusted peer: its X-Forwarded-For chain is appended to, its first proto and host believed, its other forwarding headers kept', () => {
    const out = build(sent, { peerTrusted: true });
    expect(valuesOf(out, 'x-forwarded-for')).toEqual(['6.6.6.6, 7.7.7.7, 127.0.0.1']);
    expect(valuesOf(out, 'x-forwarded-proto')).toEqual(['https']);
    expect(valuesOf(out, 'x-forwarded-host')).toEqual(['app.example']);
    expect(valuesOf(out, 'x-forwarded-port')).toEqual(['443']);
    expect(valuesOf(out, 'forwarded')).toEqual(['for=6.6.6.6']);
    expect(valuesOf(out, 'x-real-ip')).toEqual(['6.6.6.6']);
  });

  it('names an IPv4 peer of a dual-stack socket without its ::ffff: prefix', () => {
    expect(valuesOf(build(['Host', 'gw'], {}, {}, '::ffff:10.1.2.3'), 'x-forwarded-for')).toEqual(['10.1.2.3']);
    expect(valuesOf(build(['Host', 'gw'], {}, {}, '::1'), 'x-forwarded-for')).toEqual(['::1']);
  });

  it('sets no X-Forwarded-For without a peer address and no X-Forwarded-Host without a Host', () => {
    const out = buildUpstreamHeaders(request([], {}), POLICY, ALICE);
    expect(valuesOf(out, 'x-forwarded-for')).toEqual([]);
    expect(valuesOf(out, 'x-forwarded-host')).toEqual([]);
    expect(valuesOf(out, 'x-forwarded-proto')).toEqual(['http']);
  });
});
