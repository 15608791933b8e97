import { describe, expect, it } from 'vitest';
import { checkOwner } from '../../../src/pipeline/owner/index.js';
import { compileRoutes } from '../../../src/pipeline/route/index.js';
import { parseRequestTarget } from '../../../src/pipeline/target/index.js';

const table = compileRoutes([
  { path: '/api/:user_id/tasks', methods: ['GET', 'POST'], owner: 'user_id', public: false },
  { path: '/api/:user_id/notes', methods: ['GET'], public: false },
]);

/** Parse, route and check the owner, as the pipeline does. */
function ownerCheck(rawUrl: string, subject: string): string {
  const parsed = parseRequestTarget(rawUrl);
  if (!parsed.ok) return parsed.reason;
  const m = table.match(parsed.target.segments, 'GET');
  if (!m.ok) return m.reason;
  const r = checkOwner(m.route, m.params, subject);
  return r.ok ? 'ok' : r.reason;
}

describe('checkOwner (THREATS family 5: case variants, query confusion)', () => {
  const cases: Array<[rawUrl: string, subject: string, outcome: string]> = [
    ['/api/alice/tasks', 'alice', 'ok'],
    ['/api/alice/tasks', 'bob', 'user_mismatch'],
    // Case-sensitive, byte for byte.
    ['/api/Alice/tasks', 'alice', 'user_mismatch'],
    ['/api/alice/tasks', 'Alice', 'user_mismatch'],
    ['/api/ALICE/tasks', 'alice', 'user_mismatch'],
    ['/api/%41lice/tasks', 'alice', 'user_mismatch'],
    ['/api/%41lice/tasks', 'Alice', 'ok'],
    // Decoded once: an encoded subject matches, a doubly encoded one does not.
    ['/api/%61lice/tasks', 'alice', 'ok'],
    ['/api/%2561lice/tasks', 'alice', 'user_mismatch'],
    // Near misses: prefixes, suffixes, whitespace.
    ['/api/alic/tasks', 'alice', 'user_mismatch'],
    ['/api/alicex/tasks', 'alice', 'user_mismatch'],
    ['/api/alice%20/tasks', 'alice', 'user_mismatch'],
    ['/api/%20alice/tasks', 'alice', 'user_mismatch'],
    // The query never counts: only the path parameter is compared.
    ['/api/alice/tasks?user_id=bob', 'alice', 'ok'],
    ['/api/alice/tasks?user_id=bob', 'bob', 'user_mismatch'],
    ['/api/bob/tasks?user_id=alice', 'alice', 'user_mismatch'],
    // Path tricks never get as far as the owner check.
    ['/api/alice/../bob/tasks', 'alice', 'ambiguous_path'],
    ['/api/alice/%2e%2e/bob/tasks', 'alice', 'ambiguous_path'],
    ['/api/alice%2fbob/tasks', 'alice', 'ambiguous_path'],
    ['/api/alice;x=1/tasks', 'alice', 'ambiguous_path'],
    ['/api/alice/tasks/', 'alice', 'no_route'],
    // Subjects with realistic Better Auth shapes.
    ['/api/xYz123AbC/tasks', 'xYz123AbC', 'ok'],
    ['/api/xYz123AbC/tasks', 'xyz123abc', 'user_mismatch'],
    // A route without an owner has nothing to check.
    ['/api/bob/notes', 'alice', 'ok'],
  ];
  it.each(cases)('%s as %s → %s', (rawUrl, subject, outcome) => {
    expect(ownerCheck(rawUrl, subject)).toBe(outcome);
  });

  it('fails closed when the parameter is missing, or the subject is empty or not a string', () => {
    const route = table.find(['api', 'alice', 'tasks'])!.route;
    expect(checkOwner(route, {}, 'alice')).toMatchObject({ ok: false, reason: 'user_mismatch' });
    expect(checkOwner(route, { id: 'alice' }, 'alice')).toMatchObject({ ok: false, reason: 'user_mismatch' });
    expect(checkOwner(route, { user_id: '' }, '')).toMatchObject({ ok: false, reason: 'user_mismatch' });
    expect(checkOwner(route, { user_id: '123' }, 123 as unknown as string)).toMatchObject({ ok: false, reason: 'user_mismatch' });
    expect(checkOwner(route, { user_id: 'alice' }, ['alice'] as unknown as string)).toMatchObject({ ok: false, reason: 'user_mismatch' });
    expect(checkOwner(route, { user_id: 'alice' }, 'alice')).toEqual({ ok: true });
  });

  it('does not read an inherited property as the parameter', () => {
    const route = compileRoutes([{ path: '/api/:constructor', methods: ['GET'], owner: 'constructor', public: false }]).routes[0]!;
    expect(checkOwner(route, {}, 'function Object() { [native code] }')).toMatchObject({ ok: false, reason: 'user_mismatch' });
    expect(checkOwner(route, { constructor: 'alice' }, 'alice')).toEqual({ ok: true });
  });
});
