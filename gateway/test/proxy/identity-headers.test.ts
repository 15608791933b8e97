// proxy/identity-headers.ts: which verified claims become identity headers. A value that could
// smuggle a header (CR/LF), is not text, or is too long is left out: missing is safe, smuggled is not.

import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/pipeline/authn/index.js';
import { identityHeaderValues } from '../../src/proxy/identity-headers.js';

function identity(claims: Record<string, unknown>): Identity {
  return { subject: String(claims['sub'] ?? ''), claims: Object.freeze({ ...claims }), issuer: 'test', expiresAtMs: Date.now() + 60_000 };
}

const headerFor = (value: unknown): string | undefined => identityHeaderValues([['x-claim', 'c']], identity({ c: value }))[0]?.[1];

describe('identityHeaderValues', () => {
  it('maps each configured claim to its header, in the mapping\'s order', () => {
    const mapping = [['x-user-id', 'sub'], ['x-user-email', 'email'], ['x-tenant', 'tenant']] as const;
    expect(identityHeaderValues(mapping, identity({ sub: 'alice', tenant: 'acme', email: 'alice@example.com' }))).toEqual([
      ['x-user-id', 'alice'],
      ['x-user-email', 'alice@example.com'],
      ['x-tenant', 'acme'],
    ]);
  });

  it('a finite number is written as JSON would; an empty string is kept', () => {
    expect(headerFor(42)).toBe('42');
    expect(headerFor(-1.5)).toBe('-1.5');
    expect(headerFor('')).toBe('');
  });

  it('leaves out claims that are not strings or finite numbers', () => {
    for (const value of [true, false, null, undefined, {}, { id: 'bob' }, [], ['bob'], Number.NaN, Number.POSITIVE_INFINITY, 10n]) {
      expect(headerFor(value), String(value)).toBeUndefined();
    }
  });

  it('leaves out a claim the token does not have, including names every object inherits', () => {
    const mapping = [['x-a', 'missing'], ['x-b', 'toString'], ['x-c', 'constructor'], ['x-d', '__proto__']] as const;
    expect(identityHeaderValues(mapping, identity({ sub: 'alice' }))).toEqual([]);
  });

  it('leaves out values holding CR, LF, NUL, tabs or bytes outside printable ASCII', () => {
    for (const value of ['alice\r\nx-user-id: bob', 'alice\nx', 'alice\rx', 'a\u0000', 'a\tb', 'ali\u0063e\u0085', 'josé', 'a\u2028b', 'a\u007f']) {
      expect(headerFor(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('keeps a value of 1024 bytes and leaves out one of 1025', () => {
    expect(headerFor('a'.repeat(1024))).toBe('a'.repeat(1024));
    expect(headerFor('a'.repeat(1025))).toBeUndefined();
  });

  it('leaving one claim out does not drop the others', () => {
    const mapping = [['x-user-id', 'sub'], ['x-user-email', 'email']] as const;
    expect(identityHeaderValues(mapping, identity({ sub: 'alice', email: 'a\r\nb' }))).toEqual([['x-user-id', 'alice']]);
  });
});
