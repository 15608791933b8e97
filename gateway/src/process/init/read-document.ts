// --openapi → a parsed OpenAPI 3.x document: JSON or YAML (told apart by content, not by the
// file name or Content-Type, which are often wrong), Swagger 2.0 and anything else refused.
import { parseDocument } from 'yaml';
import { readSource, type SourceText } from './fetch-source.js';
import { refusal } from './init-error.js';

export type Json = Readonly<Record<string, unknown>>;

export interface OpenApiDocument {
  /** The `openapi` field as written: "3.0.3", "3.1.0". */
  readonly version: string;
  /** "3.0", "3.1": the line the document follows. */
  readonly family: string;
  readonly root: Json;
  readonly paths: Json;
  readonly source: SourceText;
}

export async function readDocument(spec: string, fetchImpl: typeof fetch): Promise<OpenApiDocument> {
  const source = await readSource(spec, fetchImpl);
  const root = parseText(source.text, source.label);
  const version = openApiVersion(root, source.label);
  const paths = root['paths'];
  if (paths !== undefined && !isMapping(paths)) throw refusal(`${source.label}: "paths" must be a mapping of path → operations`);
  if (paths === undefined || Object.keys(paths).length === 0) {
    throw refusal(`${source.label} lists no paths, so there is nothing to route (a gateway config needs at least one route)`);
  }
  return { version, family: version.split('.').slice(0, 2).join('.'), root, paths, source };
}

export function isMapping(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON when it looks like JSON, else YAML (JSON is YAML too, but JSON.parse says more precisely what is wrong). */
export function parseText(text: string, label: string): Json {
  const start = text.trimStart();
  if (start === '') throw refusal(`${label} is empty: not a JSON or YAML document`);
  if (start.startsWith('<')) {
    throw refusal(`${label} looks like HTML or XML, not a JSON or YAML document; point --openapi at the document itself (FastAPI and fastify serve it at /openapi.json)`);
  }
  let value: unknown;
  if (start.startsWith('{') || start.startsWith('[')) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw refusal(`${label} is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    value = parseYamlText(text, label);
  }
  if (!isMapping(value)) {
    const got = Array.isArray(value) ? 'a list' : value === null ? 'nothing' : `a ${typeof value}`;
    throw refusal(`${label} is not a JSON or YAML document with an "openapi" field (it parses as ${got})`);
  }
  return value;
}

function parseYamlText(text: string, label: string): unknown {
  // Duplicate keys would leave a path's meaning to the parser; aliases are bounded (billion laughs).
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.2', merge: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const first = problem.message.split('\n')[0] ?? problem.message;
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : '';
    throw refusal(`${label} is neither valid JSON nor valid YAML: ${first}${more}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw refusal(`${label} cannot be read as YAML: ${(error as Error).message}`);
  }
}

function openApiVersion(root: Json, label: string): string {
  if (root['swagger'] !== undefined) {
    throw refusal(
      `${label} is a Swagger ${String(root['swagger'])} document; init reads OpenAPI 3.x only. ` +
        'Convert it first (for instance: npx swagger2openapi swagger.json -o openapi.json) and run init on the result',
    );
  }
  const raw = root['openapi'];
  // YAML reads an unquoted `openapi: 3.1` as a number; it still says which version it is.
  const version = typeof raw === 'number' ? String(raw) : raw;
  if (typeof version !== 'string') throw refusal(`${label} has no "openapi" version field: not an OpenAPI 3.x document`);
  if (!/^3\.\d+(\.\d+)?([-+].*)?$/.test(version)) throw refusal(`${label} says openapi: ${JSON.stringify(version)}; init reads OpenAPI 3.x only (3.0, 3.1)`);
  return version;
}
