import { describe, expect, it } from 'vitest';
import { base, expectProblem, load, problemsOf } from './helpers.js';

describe('identity_headers', () => {
  it('defaults to x-user-id: sub', () => {
    expect(load(base()).config.identityHeaders).toEqual([['x-user-id', 'sub'], ['x-user-email', 'email']]);
  });

  it('defaults x-user-id to auth.subject_claim when that is not sub', () => {
    const tree = base();
    tree.auth.subject_claim = 'uid';
    const loaded = load(tree);
    expect(loaded.config.identityHeaders).toEqual([['x-user-id', 'uid'], ['x-user-email', 'email']]);
    expect(loaded.warnings).toEqual([]);
  });

  it('warns when x-user-id carries another claim than auth.subject_claim', () => {
    const tree = base();
    tree.auth.subject_claim = 'uid';
    tree.identity_headers = { 'x-user-id': 'sub' };
    expect(load(tree).warnings).toEqual([expect.stringMatching(/^identity_headers\.x-user-id: carries the claim "sub", but auth\.subject_claim is "uid"/)]);
  });

  it('no warning when x-user-id carries auth.subject_claim, or is not mapped at all', () => {
    for (const headers of [{ 'x-user-id': 'uid' }, { 'x-tenant': 'org' }, {}]) {
      const tree = base();
      tree.auth.subject_claim = 'uid';
      tree.identity_headers = headers;
      expect(load(tree).warnings, JSON.stringify(headers)).toEqual([]);
    }
  });

  it('lower-cases names and keeps config order', () => {
    const tree = base();
    tree.identity_headers = { 'X-User-Id': 'sub', 'X-User-Email': 'email', 'x-tenant': 'org_id' };
    expect(load(tree).config.identityHeaders).toEqual([['x-user-id', 'sub'], ['x-user-email', 'email'], ['x-tenant', 'org_id']]);
  });

  it('may be empty (no identity headers at all)', () => {
    const tree = base();
    tree.identity_headers = {};
    expect(load(tree).config.identityHeaders).toEqual([]);
  });

  it('refuses "_" in a name, with the "-" spelling as a hint', () => {
    const tree = base();
    tree.identity_headers = { x_user_id: 'sub' };
    expectProblem(tree, 'identity_headers.x_user_id', /must not contain "_".*write "x-user-id"/);
  });

  it.each(['x user', 'x:user', 'x-ü', 'x"y', ''])('refuses the invalid name %j', (name) => {
    const tree = base();
    tree.identity_headers = { [name]: 'sub' };
    const problems = problemsOf(tree);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/not a valid header name/);
  });

  it.each([
    'Host', 'authorization', 'Content-Length', 'transfer-encoding', 'cookie', 'connection', 'te', 'upgrade',
    'x-forwarded-for', 'X-Forwarded-User', 'forwarded', 'x-request-id', 'x-real-ip', 'proxy-authorization',
    'x-original-url', 'x-http-method-override', 'keep-alive', 'trailer', 'sec-fetch-site',
  ])('refuses the reserved header %j', (name) => {
    const tree = base();
    tree.identity_headers = { [name]: 'sub' };
    const problems = problemsOf(tree);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/is reserved/);
  });

  it('refuses the same header twice in different case', () => {
    const tree = base();
    tree.identity_headers = { 'x-user-id': 'sub', 'X-USER-ID': 'email' };
    expectProblem(tree, 'identity_headers.X-USER-ID', /same header as "x-user-id"/);
  });

  it('requires a non-empty claim name string', () => {
    const tree = base();
    tree.identity_headers = { 'x-a': '', 'x-b': 7, 'x-c': null };
    expect(problemsOf(tree)).toEqual([
      { path: 'identity_headers.x-a', message: 'must not be empty' },
      { path: 'identity_headers.x-b', message: expect.stringMatching(/must be a string/) },
      { path: 'identity_headers.x-c', message: expect.stringMatching(/has no value/) },
    ]);
  });

  it('must be a mapping', () => {
    const tree = base();
    tree.identity_headers = ['x-user-id'];
    expectProblem(tree, 'identity_headers', /must be a mapping of header name to claim name/);
  });
});
