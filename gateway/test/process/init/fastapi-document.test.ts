// (b) A FastAPI-style OpenAPI 3.1 document: nested owner paths, team paths that have no owner,
// a health check, and a `userId` that looks like an owner but is not the chosen parameter.
import { describe, expect, it } from 'vitest';
import { fixture, freshOut, init, readText, routesOf } from './harness.js';

const DOC = fixture('fastapi-projects.openapi.json');

const protectionOf = (route: { owner?: string; public: boolean }) => (route.public ? 'public' : route.owner !== undefined ? 'owner' : 'protected');

describe('gateway init on a FastAPI 3.1 document', () => {
  it('gives every {user_id} path an owner, protects the rest, opens only what --public names', async () => {
    const { file } = freshOut();
    const run = await init(['--openapi', DOC, '--out', file, '--public', '/health']);
    expect(run.code, run.stderr).toBe(0);
    const routes = routesOf(readText(file));
    expect(Object.fromEntries(routes.map((r) => [r.path, [r.methods.join(' '), protectionOf(r)]]))).toEqual({
      '/health': ['GET', 'public'],
      '/api/:user_id/projects': ['GET POST', 'owner'],
      '/api/:user_id/projects/:project_id': ['GET PUT DELETE', 'owner'],
      '/api/:user_id/projects/:project_id/tasks': ['GET POST', 'owner'],
      '/api/:user_id/projects/:project_id/tasks/:task_id': ['GET PATCH DELETE', 'owner'],
      '/api/teams/:team_id': ['GET', 'protected'],
      '/api/teams/:team_id/members': ['GET', 'protected'],
      '/api/users/:userId/avatar': ['GET PUT', 'protected'],
      '/api/search': ['GET', 'protected'],
    });
    expect(routes.filter((r) => r.owner !== undefined).every((r) => r.owner === 'user_id')).toBe(true);
  });

  it('says in the YAML why each route is protected, and suggests /health without opening it', async () => {
    const run = await init(['--openapi', DOC]);
    expect(run.code, run.stderr).toBe(0);
    const yaml = run.stdout;
    expect(routesOf(yaml).some((r) => r.public)).toBe(false);
    // One "protected" comment per route without owner (5 of them: /health, two team paths, avatar, search).
    expect(yaml.match(/# protected: a valid token is required; no owner rule/g)?.length).toBe(5);
    expect(yaml).toMatch(/# suggestion: it looks like a health or status check; to serve it without a token, run init again with\n\s+#\s+--public \/health/);
    expect(yaml).toContain('owner: user_id # the :user_id in the path must equal the token subject');
    expect(yaml).toContain('#   GET get_team_api_teams__team_id__get — Get Team');
  });

  it('warns about the userId lookalike and the OPTIONS operation, naming the paths', async () => {
    const run = await init(['--openapi', DOC]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('{userId} looks like an owner parameter, but the owner parameter is user_id');
    expect(run.stderr).toContain('/api/users/{userId}/avatar');
    expect(run.stderr).toContain('run init again with --owner-param userId');
    expect(run.stderr).not.toMatch(/\{team_id\} looks like an owner/);
    expect(run.stderr).toContain('/api/search: OPTIONS is not routed');
    // The table: path, methods, protection, review.
    expect(run.stderr).toMatch(/^PATH\s+METHODS\s+PROTECTION\s+REVIEW$/m);
    expect(run.stderr).toMatch(/^\/api\/users\/:userId\/avatar\s+GET PUT\s+protected\s+:userId looks like a user id/m);
    expect(run.stderr).toMatch(/^\/health\s+GET\s+protected\s+maybe --public \/health/m);
    expect(run.stderr).toContain('9 routes');
  });

  it('--owner-param userId moves the owner rule to the avatar path, and warns that {user_id} is now unchecked', async () => {
    const run = await init(['--openapi', DOC, '--owner-param', 'userId']);
    expect(run.code, run.stderr).toBe(0);
    const routes = routesOf(run.stdout);
    expect(routes.find((r) => r.path === '/api/users/:userId/avatar')?.owner).toBe('userId');
    expect(routes.find((r) => r.path === '/api/:user_id/projects')?.owner).toBeUndefined();
    expect(run.stderr).toContain('{user_id} looks like an owner parameter, but the owner parameter is userId');
  });

  it('writes the issuers the flags ask for', async () => {
    const run = await init(['--openapi', DOC, '--jwks-url', 'https://auth.example.com/api/auth/jwks', '--issuer', 'https://auth.example.com', '--secret-env', 'APP_JWT_SECRET'], {
      APP_JWT_SECRET: 'a-shared-secret-that-is-long-enough-0123456789',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/- name: better-auth\n\s+jwks_url: https:\/\/auth\.example\.com\/api\/auth\/jwks\n\s+issuer: https:\/\/auth\.example\.com\n\s+audience: https:\/\/auth\.example\.com\n\s+algorithms: \[EdDSA\]/);
    expect(run.stdout).toMatch(/- name: shared-secret\n\s+secret: \$\{APP_JWT_SECRET\}\n\s+issuer: https:\/\/auth\.example\.com\n\s+audience: https:\/\/auth\.example\.com\n\s+algorithms: \[HS256\]/);
    expect(run.stdout).not.toContain('a-shared-secret-that-is-long-enough');
    expect(run.stderr).not.toContain('a-shared-secret-that-is-long-enough');
  });

  it('without issuer flags, writes Better Auth placeholders with working defaults, and documents the variables', async () => {
    const run = await init(['--openapi', DOC]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('jwks_url: ${BETTER_AUTH_JWKS_URL:-http://localhost:3000/api/auth/jwks}');
    expect(run.stdout).toContain('issuer: ${BETTER_AUTH_URL:-http://localhost:3000}');
    expect(run.stdout).toContain('url: ${UPSTREAM_URL:-http://127.0.0.1:8000}');
    expect(run.stdout).toMatch(/^#\s+BETTER_AUTH_URL\s+the iss and aud tokens must carry/m);
    expect(run.stderr).toContain('no upstream address known: set UPSTREAM_URL');
  });

  it('with --secret-env unset in this shell, still writes the file and says the variable must be set', async () => {
    const run = await init(['--openapi', DOC, '--secret-env', 'APP_JWT_SECRET', '--issuer', 'https://auth.example.com']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('secret: ${APP_JWT_SECRET}');
    expect(run.stdout).not.toContain('jwks_url'); // only the key source that was asked for
    expect(run.stderr).toContain('APP_JWT_SECRET is not set here');
  });
});
