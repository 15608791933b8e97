// (c) Everything init refuses: exit 1 with a message naming the problem, and no file at all in
// the --out directory (not even a temporary one). Bad command lines are exit 2.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshOut, init, nothingWritten, readText, tempDir } from './harness.js';

/** A document file in its own directory, and an --out path in another, empty one. */
function docFile(text: string, name = 'openapi.json'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

const openapi = (paths: Record<string, unknown>, version = '3.1.0') => JSON.stringify({ openapi: version, info: { title: 't', version: '1' }, paths });
const get = { get: { responses: { '200': { description: 'OK' } } } };

async function refused(doc: string, extra: string[] = []) {
  const { dir, file } = freshOut();
  const run = await init(['--openapi', doc, '--out', file, ...extra]);
  expect(nothingWritten(dir), 'nothing may be written').toBe(true);
  expect(run.stdout).toBe('');
  return run;
}

describe('documents init refuses (exit 1, nothing written)', () => {
  it('Swagger 2.0, saying so and how to convert', async () => {
    const run = await refused(docFile(JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, paths: { '/a': get } })));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is a Swagger 2.0 document; init reads OpenAPI 3.x only');
    expect(run.stderr).toContain('swagger2openapi');
  });

  it('an OpenAPI version that is not 3.x, or no version at all', async () => {
    const four = await refused(docFile(openapi({ '/a': get }, '4.0.0')));
    expect(four.code).toBe(1);
    expect(four.stderr).toContain('says openapi: "4.0.0"; init reads OpenAPI 3.x only');
    const none = await refused(docFile(JSON.stringify({ info: { title: 't' }, paths: { '/a': get } })));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no "openapi" version field');
  });

  it('a parameter that is not a whole segment', async () => {
    const run = await refused(docFile(openapi({ '/files/{name}.json': get, '/v1/models/{model}:generate': get })));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot express 2 paths of the document as gateway routes');
    expect(run.stderr).toContain('/files/{name}.json: segment "{name}.json" mixes a parameter with other text');
    expect(run.stderr).toContain('/v1/models/{model}:generate: segment "{model}:generate" mixes a parameter');
  });

  it('a parameter name the template syntax refuses, in the words of the gateway\'s own parser', async () => {
    const run = await refused(docFile(openapi({ '/users/{user-id}': get, '/items/{1st}': get, '/x/{}': get })));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/users/{user-id}: as the gateway template /users/:user-id: parameter ":user-id" must be ":" followed by a name');
    expect(run.stderr).toContain('/items/{1st}: as the gateway template /items/:1st');
    expect(run.stderr).toContain('/x/{}: as the gateway template /x/:');
  });

  it('paths that differ only in parameter names', async () => {
    const run = await refused(docFile(openapi({ '/users/{id}': get, '/users/{user_id}': { delete: { responses: {} } } })));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/users/{user_id}: matches exactly the same requests as /users/{id} (only the parameter names differ)');
  });

  it('literal segments a template would misread or refuses, and the same parameter twice', async () => {
    const run = await refused(docFile(openapi({ '/v1/:batch': get, '/files/*': get, '/a%20b': get, '/a//b': get, '/x/{id}/y/{id}': get })));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/v1/:batch: segment ":batch" starts with ":"');
    expect(run.stderr).toContain('/files/*: as the gateway template /files/*: "*" is not allowed');
    expect(run.stderr).toContain('/a%20b: as the gateway template /a%20b: percent-encoding');
    expect(run.stderr).toContain('/a//b: as the gateway template /a//b: must not contain an empty segment');
    expect(run.stderr).toContain('/x/{id}/y/{id}: as the gateway template /x/:id/y/:id: parameter ":id" appears twice');
  });

  it('a path item kept in another file', async () => {
    const run = await refused(docFile(openapi({ '/a': { $ref: 'paths/a.yaml' } })));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/a: its operations are in another file ($ref "paths/a.yaml"); bundle the document first');
  });

  it('a document with no paths, or none with a forwarded method', async () => {
    expect((await refused(docFile(openapi({})))).stderr).toContain('lists no paths, so there is nothing to route');
    const only = await refused(docFile(openapi({ '/a': { options: { responses: {} }, trace: { responses: {} } } })));
    expect(only.code).toBe(1);
    expect(only.stderr).toContain('no path of the document has an operation the gateway forwards');
  });

  it('a file that is not JSON or YAML', async () => {
    const cases: Array<[string | Buffer, string]> = [
      ['{"openapi": "3.1.0", "paths": }', 'is not valid JSON'],
      ['openapi: 3.1.0\npaths: [unclosed\n', 'is neither valid JSON nor valid YAML'],
      ['<!doctype html><html><body>Swagger UI</body></html>', 'looks like HTML or XML'],
      ['just some words', 'is not a JSON or YAML document with an "openapi" field (it parses as a string)'],
      ['', 'is empty'],
      [Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3]), 'it is not UTF-8 text'],
      ['openapi: 3.1.0\nopenapi: 3.0.0\npaths: {}\n', 'is neither valid JSON nor valid YAML'],
    ];
    for (const [text, message] of cases) {
      const file = join(tempDir(), 'doc');
      writeFileSync(file, text);
      const run = await refused(file);
      expect(run.code, String(text)).toBe(1);
      expect(run.stderr, String(text)).toContain(message);
    }
  });

  it('a file that does not exist', async () => {
    const run = await refused(join(tempDir(), 'missing.json'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing.json: no such file');
  });

  it("whatever the gateway's own parseConfig refuses, with its key paths", async () => {
    const doc = docFile(openapi({ '/a': get }));
    const upstream = await refused(doc, ['--upstream', 'http://backend:8000/base']);
    expect(upstream.code).toBe(1);
    expect(upstream.stderr).toContain("does not pass the gateway's own checks");
    expect(upstream.stderr).toContain('upstream.url: must not have a path (/base)');
    const jwks = await refused(doc, ['--jwks-url', 'not a url']);
    expect(jwks.stderr).toContain('auth.issuers[0].jwks_url: must be an absolute http:// or https:// URL');
    const unset = await refused(doc, ['--issuer', '${NOT_SET_ANYWHERE}']);
    expect(unset.stderr).toContain('environment variable NOT_SET_ANYWHERE is not set');
    const weak = await init(['--openapi', doc, '--secret-env', 'WEAK'], { WEAK: 'short' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('auth.issuers[0].secret: is too short');
    expect(weak.stderr).not.toContain('short\n');
  });
});

describe('--out and --force', () => {
  it('never overwrites an existing file without --force, and replaces it with --force', async () => {
    const doc = docFile(openapi({ '/a': get }));
    const { dir, file } = freshOut();
    writeFileSync(file, 'mine\n');
    const kept = await init(['--openapi', doc, '--out', file]);
    expect(kept.code).toBe(1);
    expect(kept.stderr).toContain('already exists; nothing was written (pass --force to overwrite it)');
    expect(readText(file)).toBe('mine\n');

    const forced = await init(['--openapi', doc, '--out', file, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readText(file)).toContain('- path: /a');
    expect((await import('node:fs')).readdirSync(dir)).toEqual(['gateway.yaml']); // no temporary file left
  });

  it('refuses an --out whose directory does not exist', async () => {
    const run = await init(['--openapi', docFile(openapi({ '/a': get })), '--out', join(tempDir(), 'no', 'such', 'dir.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('its directory does not exist');
  });
});

describe('bad command lines (exit 2)', () => {
  const doc = () => docFile(openapi({ '/api/{user_id}/tasks': get, '/health': get }));
  // Each case gets an --out path in a fresh directory, which must stay empty.
  const cases: Array<[string, (out: string) => string[], string]> = [
    ['no --openapi', (out) => ['--out', out], '--openapi <url|file> is required'],
    ['an unknown option', (out) => ['--openapi', doc(), '--pubic', '/health', '--out', out], "Unknown option '--pubic'"],
    ['a positional argument', (out) => ['--openapi', doc(), 'extra', '--out', out], 'extra'],
    ['--out twice', (out) => ['--openapi', doc(), '--out', out, '--out', `${out}.2`], '--out is given twice'],
    ['--force without --out', () => ['--openapi', doc(), '--force'], '--force only makes sense with --out'],
    ['a bad --owner-param', (out) => ['--openapi', doc(), '--owner-param', 'user-id', '--out', out], '--owner-param "user-id"'],
    ['a bad --secret-env', (out) => ['--openapi', doc(), '--secret-env', 'MY SECRET', '--out', out], '--secret-env "MY SECRET"'],
    ['a non-http URL', (out) => ['--openapi', 'ftp://example.com/openapi.json', '--out', out], 'only http:// and https:// URLs'],
    ['a URL with a password', (out) => ['--openapi', 'http://me:pw@127.0.0.1:1/openapi.json', '--out', out], 'must not contain a user name or password'],
    ['--public naming no path', (out) => ['--openapi', doc(), '--public', '/healthz', '--out', out], '--public /healthz: the document has no such path'],
    ['--public on an owner path', (out) => ['--openapi', doc(), '--public', '/api/{user_id}/tasks', '--out', out], "a public route would serve every user's data to anyone"],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const { dir, file } = freshOut();
      const run = await init(args(file));
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('gateway init --help');
      expect(run.stdout).toBe('');
      expect(nothingWritten(dir)).toBe(true);
      expect(run.stderr).not.toContain(':pw@');
    });
  }

  it('--help prints the usage on stdout and exits 0', async () => {
    const run = await init(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('gateway init --openapi <url|file>');
  });
});
