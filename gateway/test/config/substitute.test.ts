import { describe, expect, it } from 'vitest';
import { GOOD_SECRET, base, expectProblem, load, paths, problemsOf, yamlOf } from './helpers.js';

/** A config whose second issuer takes its secret from ${SECRET}. */
function withSecretIssuer(secretValue: string): string {
  const tree = base();
  tree.auth.issuers.push({ name: 'hs', secret: secretValue, issuer: 'me', audience: 'you', algorithms: ['HS256'] });
  return yamlOf(tree);
}

function secretOf(yaml: string, env: Record<string, string>): string {
  const source = load(yaml, env).config.auth.issuers[1]!.keySource;
  if (source.kind !== 'secret') throw new Error('expected a secret issuer');
  return source.secret;
}

describe('${VAR} substitution', () => {
  it('substitutes in parsed values, so a secret with "#", quotes and newlines stays intact', () => {
    const nasty = `${GOOD_SECRET}#not a comment\n  key: "value" # ' \${NOT_A_VAR}`;
    expect(secretOf(withSecretIssuer('${SECRET}'), { SECRET: nasty })).toBe(nasty);
  });

  it('never substitutes in the YAML text: a value that looks like YAML stays a string', () => {
    const tree = base();
    tree.upstream.url = '${UP}';
    // If this were spliced into the text, the "]" and ": " would break or restructure the document.
    expectProblem(tree, 'upstream.url', /must use http or https, not x$/, { UP: 'x: [y' });
  });

  it('does not re-scan a substituted value (no recursive expansion)', () => {
    const value = `${GOOD_SECRET}\${OTHER}`;
    expect(secretOf(withSecretIssuer('${SECRET}'), { SECRET: value, OTHER: 'expanded' })).toBe(value);
  });

  it('substitutes several references and keeps surrounding text', () => {
    const tree = base();
    tree.upstream.url = 'http://${HOST}:${PORT}';
    expect(load(tree, { HOST: 'backend', PORT: '9000' }).config.upstream.url).toBe('http://backend:9000');
  });

  it('keeps a lone "$" that is not followed by "{"', () => {
    const value = `$${GOOD_SECRET}$ and $HOME`;
    expect(secretOf(withSecretIssuer(value), {})).toBe(value);
  });

  it('uses the default when the variable is unset or empty', () => {
    const tree = base();
    tree.upstream.url = '${UP:-http://fallback:1}';
    expect(load(tree, {}).config.upstream.url).toBe('http://fallback:1');
    expect(load(tree, { UP: '' }).config.upstream.url).toBe('http://fallback:1');
    expect(load(tree, { UP: 'http://set:2' }).config.upstream.url).toBe('http://set:2');
  });

  it('a default may contain ":", "-" and spaces', () => {
    const tree = base();
    tree.realm = '${REALM:-my api: v-2}';
    expect(load(tree).config.realm).toBe('my api: v-2');
  });

  it('reports an unset variable at the key path that uses it, naming the variable', () => {
    const problems = problemsOf(withSecretIssuer('${BETTER_AUTH_SECRET}'), {});
    expect(problems).toEqual([
      { path: 'auth.issuers[1].secret', message: expect.stringMatching(/BETTER_AUTH_SECRET is not set; set it to a random secret \(make one with: openssl rand -base64 32\)$/) },
    ]);
    const tree = base();
    tree.upstream.url = '${UPSTREAM_URL}';
    expectProblem(tree, 'upstream.url', /UPSTREAM_URL is not set; set it, or give a default with \$\{UPSTREAM_URL:-default\}$/);
  });

  it('reports an empty variable without a default', () => {
    expectProblem(withSecretIssuer('${SECRET}'), 'auth.issuers[1].secret', /SECRET is empty/, { SECRET: '' });
  });

  it('${VAR:-} gives an empty string, accepted only where an empty string is valid', () => {
    // An empty secret is never valid: one problem, from the secret rule.
    expectProblem(withSecretIssuer('${SECRET:-}'), 'auth.issuers[1].secret', /must not be empty/);
    // An empty claim name in identity_headers is not valid either.
    const tree = base();
    tree.identity_headers = { 'x-user-id': '${CLAIM:-}' };
    expectProblem(tree, 'identity_headers.x-user-id', /must not be empty/);
  });

  it('reports malformed and unclosed references', () => {
    const tree = base();
    tree.realm = '${not-a-name}';
    tree.upstream.url = 'http://${HOST';
    tree.auth.subject_claim = '${SUB:=x}';
    const problems = problemsOf(tree, { HOST: 'h' });
    expect(paths(problems).sort()).toEqual(['auth.subject_claim', 'realm', 'upstream.url']);
    expect(problems.find((p) => p.path === 'realm')!.message).toMatch(/^malformed \$\{\.\.\.\} reference at character 1;/);
    expect(problems.find((p) => p.path === 'realm')!.message).not.toContain('not-a-name');
    expect(problems.find((p) => p.path === 'upstream.url')!.message).toMatch(/unclosed/);
  });

  it('reports a failed substitution once, not again as a bad value', () => {
    const tree = base();
    tree.listen = { port: '${PORT}' };
    expect(problemsOf(tree, {})).toEqual([{ path: 'listen.port', message: expect.stringMatching(/PORT is not set/) }]);
  });

  it('substitutes inside lists', () => {
    const tree = base();
    tree.cors = { origins: ['${APP_ORIGIN}'] };
    expect(load(tree, { APP_ORIGIN: 'https://app.example.com' }).config.cors.origins).toEqual(['https://app.example.com']);
    expectProblem(tree, 'cors.origins[0]', /APP_ORIGIN is not set/);
  });

  describe('coerces substituted strings strictly for numbers and booleans', () => {
    it('accepts "8080" as a port and "false" as a boolean', () => {
      const tree = base();
      tree.listen = { port: '${PORT:-8080}' };
      tree.forward_authorization = '${FWD:-false}';
      tree.auth.token_cache = '${CACHE:-0}';
      const { config } = load(tree);
      expect(config.listen.port).toBe(8080);
      expect(config.forwardAuthorization).toBe(false);
      expect(config.auth.tokenCacheSize).toBe(0);
    });

    it.each(['80a', '8080.0', ' 8080', '0x50', '-1', '080', ''])('refuses port %j', (port) => {
      const tree = base();
      tree.listen = { port: '${PORT:-}' };
      expectProblem(tree, 'listen.port', /integer from 0 to 65535/, { PORT: port });
    });

    it.each(['yes', 'True', '1', 'on'])('refuses boolean %j', (value) => {
      const tree = base();
      tree.forward_authorization = '${FWD}';
      expectProblem(tree, 'forward_authorization', /must be true or false/, { FWD: value });
    });
  });
});
