// A tiny HTTP client over node:http, so tests control every byte that matters
// (content-type without a body, raw invalid JSON, HEAD, …).
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** parsed JSON, or undefined when the body is empty */
  body: any;
}

export interface CallOptions {
  /** serialized as JSON with content-type application/json */
  json?: unknown;
  /** sent as is */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** default: node's global agent */
  agent?: Agent;
}

export function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | Buffer | undefined = options.raw;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, ...(options.agent ? { agent: options.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Bound to one server: api.get('/api/u/tasks'), api.post(path, {json}), … */
export function client(base: string) {
  return {
    get: (path: string, o?: CallOptions) => call(base, 'GET', path, o),
    head: (path: string, o?: CallOptions) => call(base, 'HEAD', path, o),
    post: (path: string, o?: CallOptions) => call(base, 'POST', path, o),
    put: (path: string, o?: CallOptions) => call(base, 'PUT', path, o),
    patch: (path: string, o?: CallOptions) => call(base, 'PATCH', path, o),
    delete: (path: string, o?: CallOptions) => call(base, 'DELETE', path, o),
  };
}
