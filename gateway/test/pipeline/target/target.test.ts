import { describe, expect, it } from 'vitest';
import { MAX_PATH_BYTES, MAX_SEGMENTS, parseRequestTarget } from '../../../src/pipeline/target/index.js';

function accepted(rawUrl: string) {
  const r = parseRequestTarget(rawUrl);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(rawUrl)} to be accepted, got ${r.reason}: ${r.detail}`);
  return r.target;
}

describe('parseRequestTarget: accepted targets', () => {
  const cases: Array<[rawUrl: string, path: string, query: string, segments: string[]]> = [
    ['/', '/', '', []],
    ['/?', '/', '?', []],
    ['/health', '/health', '', ['health']],
    ['/api/alice/tasks', '/api/alice/tasks', '', ['api', 'alice', 'tasks']],
    ['/api/alice/tasks/42/complete', '/api/alice/tasks/42/complete', '', ['api', 'alice', 'tasks', '42', 'complete']],
    // A trailing slash is a different path: it keeps a final empty segment that no param matches.
    ['/api/alice/tasks/', '/api/alice/tasks/', '', ['api', 'alice', 'tasks', '']],
    ['/health/', '/health/', '', ['health', '']],
    // The query is kept byte for byte, never decoded, and never affects the segments.
    ['/api/alice/tasks?user_id=bob', '/api/alice/tasks', '?user_id=bob', ['api', 'alice', 'tasks']],
    ['/api/alice/tasks?a=%2e%2e&b=..%2f;c=%zz', '/api/alice/tasks', '?a=%2e%2e&b=..%2f;c=%zz', ['api', 'alice', 'tasks']],
    ['/api/alice/tasks?x=/../bob', '/api/alice/tasks', '?x=/../bob', ['api', 'alice', 'tasks']],
    ['/a??b', '/a', '??b', ['a']],
    // Decoded exactly once: %61 is "a"; %252e is the literal text "%2e", not a dot segment.
    ['/api/%61lice/tasks', '/api/%61lice/tasks', '', ['api', 'alice', 'tasks']],
    ['/api/%252e/tasks', '/api/%252e/tasks', '', ['api', '%2e', 'tasks']],
    ['/api/%252e%252e/tasks', '/api/%252e%252e/tasks', '', ['api', '%2e%2e', 'tasks']],
    ['/api/%252f/tasks', '/api/%252f/tasks', '', ['api', '%2f', 'tasks']],
    // Dots that are part of a name are not dot segments.
    ['/api/a.b/tasks', '/api/a.b/tasks', '', ['api', 'a.b', 'tasks']],
    ['/api/.well-known', '/api/.well-known', '', ['api', '.well-known']],
    ['/api/.../x', '/api/.../x', '', ['api', '...', 'x']],
    ['/api/..a/x', '/api/..a/x', '', ['api', '..a', 'x']],
    ['/api/%2e%2ea/x', '/api/%2e%2ea/x', '', ['api', '..a', 'x']],
    // Encoded data that separates nothing: `;`, `?`, `#`, space, `%`, UTF-8.
    ['/api/a%3bb/x', '/api/a%3bb/x', '', ['api', 'a;b', 'x']],
    ['/api/a%3Fb%23c/x', '/api/a%3Fb%23c/x', '', ['api', 'a?b#c', 'x']],
    ['/api/a%20b', '/api/a%20b', '', ['api', 'a b']],
    ['/api/%25', '/api/%25', '', ['api', '%']],
    ['/api/caf%C3%A9', '/api/caf%C3%A9', '', ['api', 'café']],
    ['/api/%F0%9F%98%80', '/api/%F0%9F%98%80', '', ['api', '😀']],
    // Sub-delims and other visible ASCII pass through as data.
    ["/api/a:b@c!$&'()*+,=~-_/x", "/api/a:b@c!$&'()*+,=~-_/x", '', ['api', "a:b@c!$&'()*+,=~-_", 'x']],
  ];
  it.each(cases)('%s', (rawUrl, path, query, segments) => {
    const t = accepted(rawUrl);
    expect(t.path).toBe(path);
    expect(t.query).toBe(query);
    expect(t.segments).toEqual(segments);
    // The forwarded request line is exactly the one received.
    expect(t.path + t.query).toBe(rawUrl);
  });

  it('accepts a path of exactly the maximum length and segment count', () => {
    const longPath = '/' + 'a'.repeat(MAX_PATH_BYTES - 1);
    expect(accepted(longPath).segments).toEqual(['a'.repeat(MAX_PATH_BYTES - 1)]);
    const manySegments = '/x'.repeat(MAX_SEGMENTS);
    expect(accepted(manySegments).segments).toHaveLength(MAX_SEGMENTS);
  });

  it('does not count the query towards the path length', () => {
    const t = accepted('/a?' + 'q'.repeat(MAX_PATH_BYTES * 2));
    expect(t.segments).toEqual(['a']);
  });
});

describe('parseRequestTarget: refused targets (THREATS family 5)', () => {
  const cases: Array<[what: string, rawUrl: string, detail: RegExp]> = [
    // Not origin-form.
    ['empty target', '', /start with/],
    ['absolute-form', 'http://upstream/api/alice/tasks', /start with/],
    ['absolute-form https', 'https://evil.example/api/alice/tasks', /start with/],
    ['authority-form', 'upstream:8000', /start with/],
    ['asterisk-form', '*', /start with/],
    ['relative path', 'api/alice/tasks', /start with/],
    // Dot segments, raw and encoded in every case and mix.
    ['raw ..', '/api/alice/../bob/tasks', /"\.\."/],
    ['raw .', '/api/alice/./tasks', /"\."/],
    ['raw .. at the end', '/api/alice/tasks/..', /"\.\."/],
    ['raw . at the end', '/api/alice/tasks/.', /"\."/],
    ['raw .. first', '/../api', /"\.\."/],
    ['%2e%2e', '/api/alice/%2e%2e/bob/tasks', /"\.\."/],
    ['%2E%2E', '/api/alice/%2E%2E/bob/tasks', /"\.\."/],
    ['%2E%2e', '/api/alice/%2E%2e/bob/tasks', /"\.\."/],
    ['.%2e', '/api/alice/.%2e/bob/tasks', /"\.\."/],
    ['%2e.', '/api/alice/%2e./bob/tasks', /"\.\."/],
    ['%2e', '/api/alice/%2e/tasks', /"\."/],
    ['%2E', '/api/alice/%2E/tasks', /"\."/],
    // Overlong UTF-8 for "." is not UTF-8 at all.
    ['overlong %c0%ae', '/api/alice/%c0%ae%c0%ae/bob/tasks', /UTF-8/],
    ['overlong %C0%AE single', '/api/alice/%C0%AE/tasks', /UTF-8/],
    ['overlong %e0%80%ae', '/api/alice/%e0%80%ae/tasks', /UTF-8/],
    ['overlong slash %c0%af', '/api/alice%c0%afbob/tasks', /UTF-8/],
    ['lone continuation byte', '/api/%80', /UTF-8/],
    ['truncated sequence', '/api/%C3', /UTF-8/],
    ['encoded surrogate', '/api/%ED%A0%80', /UTF-8/],
    ['latin1 byte', '/api/caf%E9', /UTF-8/],
    // Encoded separators, any case.
    ['%2f', '/api/alice%2f..%2fbob/tasks', /encoded/],
    ['%2F', '/api/alice%2F..%2Fbob/tasks', /encoded/],
    ['%2f alone', '/api/alice/%2f/tasks', /encoded/],
    ['%5c', '/api/alice%5c..%5cbob/tasks', /encoded/],
    ['%5C', '/api/alice%5C..%5Cbob/tasks', /encoded/],
    // Raw backslash.
    ['raw \\', '/api/alice\\..\\bob/tasks', /"\\"/],
    ['raw \\ alone', '/api\\alice/tasks', /"\\"/],
    // Empty segments.
    ['//', '/api//alice/tasks', /empty segment/],
    ['leading //', '//api/alice/tasks', /empty segment/],
    ['/// at the end', '/api/alice/tasks//', /empty segment/],
    ['double slash root', '//', /empty segment/],
    // Matrix parameters.
    [';jsessionid', '/api/alice/tasks;jsessionid=abc', /";"/],
    [';..', '/api/alice/..;/bob/tasks', /";"/],
    ['; in segment', '/api/alice;bob/tasks', /";"/],
    // Malformed percent-encoding.
    ['lone %', '/api/alice/tasks%', /percent/],
    ['% then one digit', '/api/alice/tasks%2', /percent/],
    ['%zz', '/api/alice/%zz/tasks', /percent/],
    ['%g0', '/api/%g0', /percent/],
    ['%0g', '/api/%0g', /percent/],
    ['% before query', '/api/a%?b=1', /percent/],
    ['% one digit before query', '/api/a%2?b=1', /percent/],
    ['% before slash', '/api/a%/b', /percent/],
    // Control characters after decoding.
    ['%00', '/api/alice%00/tasks', /control/],
    ['%0a', '/api/alice%0a/tasks', /control/],
    ['%0D%0A', '/api/alice%0D%0Ax/tasks', /control/],
    ['%1f', '/api/%1f', /control/],
    ['%7f', '/api/%7f', /control/],
    ['%C2%85 (C1 NEL)', '/api/%C2%85', /control/],
    // Fragments.
    ['fragment', '/api/alice/tasks#x', /fragment/],
    ['fragment in query', '/api/alice/tasks?a=1#x', /fragment/],
    ['fragment only', '/#', /fragment/],
    // Raw bytes outside visible ASCII (Node hands them over as latin1 characters).
    ['raw é', '/api/caf\u00e9/tasks', /visible ASCII/],
    ['raw NUL', '/api/a\u0000b', /visible ASCII/],
    ['raw space', '/api/a b', /visible ASCII/],
    ['raw tab', '/api/a\tb', /visible ASCII/],
    ['raw DEL', '/api/a\u007fb', /visible ASCII/],
    ['raw é in query', '/api/a?x=caf\u00e9', /visible ASCII/],
    ['raw space in query', '/api/a?x=a b', /visible ASCII/],
    ['raw CR in query', '/api/a?x=a\rb', /visible ASCII/],
    // Overlong.
    ['path too long', '/' + 'a'.repeat(MAX_PATH_BYTES), /longer than/],
    ['path too long before query', '/' + 'a'.repeat(MAX_PATH_BYTES) + '?q', /longer than/],
    ['too many segments', '/x'.repeat(MAX_SEGMENTS + 1), /more than/],
    ['too many segments with trailing slash', '/x'.repeat(MAX_SEGMENTS) + '/', /more than/],
  ];
  it.each(cases)('%s', (_what, rawUrl, detail) => {
    const r = parseRequestTarget(rawUrl);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('ambiguous_path');
    expect(r.detail).toMatch(detail);
  });

  it('refuses every dot segment spelling, whatever the case of each escape', () => {
    const dot = ['.', '%2e', '%2E'];
    for (const a of dot) {
      expect(parseRequestTarget(`/api/${a}/x`).ok).toBe(false);
      for (const b of dot) expect(parseRequestTarget(`/api/alice/${a}${b}/bob/tasks`).ok).toBe(false);
    }
  });

  it('refuses every byte outside visible ASCII, raw or decoded control', () => {
    for (let c = 0; c <= 0xff; c++) {
      const raw = parseRequestTarget(`/api/a${String.fromCharCode(c)}b`);
      const visible = c >= 0x21 && c <= 0x7e;
      const special = c === 0x2f || c === 0x5c || c === 0x3b || c === 0x23 || c === 0x25 || c === 0x3f;
      if (visible && !special) expect(raw.ok, `raw 0x${c.toString(16)}`).toBe(true);
      if (!visible) expect(raw.ok, `raw 0x${c.toString(16)}`).toBe(false);
      if (c < 0x20 || c === 0x7f) {
        const hex = c.toString(16).padStart(2, '0');
        expect(parseRequestTarget(`/api/a%${hex}b`).ok, `%${hex}`).toBe(false);
        expect(parseRequestTarget(`/api/a%${hex.toUpperCase()}b`).ok, `%${hex.toUpperCase()}`).toBe(false);
      }
    }
  });

  it('handles maximum-size paths full of escapes in linear time', () => {
    const escaped = '/' + '%41'.repeat(Math.floor((MAX_PATH_BYTES - 1) / 3));
    const refused = '/a'.repeat(MAX_SEGMENTS) + '/%2e%2e';
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      expect(parseRequestTarget(escaped).ok).toBe(true);
      expect(parseRequestTarget(refused).ok).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
