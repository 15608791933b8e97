import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Everything the server wrote before closing, for pipelining tests. */
  readonly raw: string;
}

/**
 * Writes bytes exactly as given to the server and reads until it closes the connection
 * (the request should carry `Connection: close`). For what a normal client cannot send:
 * smuggling framings, odd request targets, obs-fold, pipelining.
 */
export function sendRaw(baseUrl: string, bytes: string): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve({ ...parseFirstResponse(raw), raw });
    });
    socket.on('connect', () => socket.write(bytes, 'latin1'));
  });
}

/** Status lines of every response in a raw stream (pipelined answers). */
export function statusCodes(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

function parseFirstResponse(raw: string): Omit<RawResponse, 'raw'> {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? raw.slice(0, headEnd) : raw;
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = headEnd >= 0 ? raw.slice(headEnd + 4) : '';
  const length = headers['content-length'];
  if (length !== undefined) body = body.slice(0, Number(length));
  return { status, headers, body };
}
