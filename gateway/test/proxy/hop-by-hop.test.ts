// proxy/hop-by-hop.ts: the headers that never cross the gateway (RFC 9110 §7.6.1), both ways.

import { describe, expect, it } from 'vitest';
import { connectionNamedHeaders, HOP_BY_HOP } from '../../src/proxy/hop-by-hop.js';

describe('HOP_BY_HOP', () => {
  it('holds the connection-specific headers, lower-case, and nothing end-to-end', () => {
    expect([...HOP_BY_HOP].sort()).toEqual(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
    for (const endToEnd of ['content-length', 'content-type', 'authorization', 'host']) expect(HOP_BY_HOP.has(endToEnd)).toBe(false);
  });
});

describe('connectionNamedHeaders', () => {
  it('collects the comma-separated tokens of every Connection value, trimmed and lower-cased', () => {
    expect([...connectionNamedHeaders(['keep-alive, X-Secret', '  Upgrade ,x-OTHER'])].sort()).toEqual(['keep-alive', 'upgrade', 'x-other', 'x-secret']);
  });

  it('ignores empty tokens and empty values', () => {
    expect([...connectionNamedHeaders([',, ,', '', 'close,'])]).toEqual(['close']);
    expect(connectionNamedHeaders([]).size).toBe(0);
  });
});
