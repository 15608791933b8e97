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

export interface RawConnection {
  /** Writes bytes as given; resolves once they are handed to the kernel. */
  write(bytes: string | Buffer): Promise<void>;
  /** Everything received so far (latin1). */
  received(): string;
  /**
   * Resolves with everything received once `done(received)` holds; rejects if the connection
   * closes first or the deadline passes (a deadline, not a sleep: it only bounds a hang).
   */
  waitFor(done: (received: string) => boolean, deadlineMs?: number): Promise<string>;
  /** Resolves when the server has closed the connection (or it was destroyed). */
  readonly closed: Promise<void>;
  /** Resolves when the server's FIN arrived (with allowHalfOpen, our side may still write). */
  readonly ended: Promise<void>;
  /** The socket error code seen, if any: `ECONNRESET` when the server reset instead of closing. */
  errorCode(): string | undefined;
  /** Half-closes our side (FIN): the server reads the end of what we sent. */
  end(): void;
  destroy(): void;
}

/**
 * A raw connection driven step by step: for exchanges where the client must wait for the server
 * before sending more (Expect: 100-continue) or must write everything before reading anything.
 */
export function openRaw(baseUrl: string, options: { readonly allowHalfOpen?: boolean } = {}): Promise<RawConnection> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // allowHalfOpen: the server's FIN does not end our side, so the server alone decides when the
    // connection is let go (lingering tests watch that from the server).
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: options.allowHalfOpen ?? false });
    const chunks: Buffer[] = [];
    let watchers: Array<() => void> = [];
    let isClosed = false;
    const notify = () => {
      for (const watcher of [...watchers]) watcher();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      notify();
    });
    let errorCode: string | undefined;
    // A reset shows as 'close' too; the test judges what arrived, and may ask about the reset.
    socket.on('error', (error: NodeJS.ErrnoException) => (errorCode ??= error.code ?? error.message));
    const closed = new Promise<void>((resolveClosed) =>
      socket.on('close', () => {
        isClosed = true;
        notify();
        resolveClosed();
      }),
    );
    const ended = new Promise<void>((resolveEnded) => socket.once('end', () => resolveEnded()));
    const received = () => Buffer.concat(chunks).toString('latin1');
    socket.once('error', reject);
    socket.on('connect', () =>
      resolve({
        write: (bytes) => new Promise<void>((done, fail) => socket.write(bytes, (error) => (error ? fail(error) : done()))),
        received,
        closed,
        ended,
        errorCode: () => errorCode,
        end: () => void socket.end(),
        destroy: () => socket.destroy(),
        waitFor(done, deadlineMs = 10_000) {
          return new Promise((resolveWait, rejectWait) => {
            const timer = setTimeout(() => finish(new Error(`no matching reply within ${deadlineMs} ms; got ${JSON.stringify(received().slice(0, 300))}`)), deadlineMs);
            const check = () => {
              if (done(received())) finish();
              else if (isClosed) finish(new Error(`connection closed; got ${JSON.stringify(received().slice(0, 300))}`));
            };
            const finish = (error?: Error) => {
              clearTimeout(timer);
              watchers = watchers.filter((w) => w !== check);
              if (error) rejectWait(error);
              else resolveWait(received());
            };
            watchers.push(check);
            check();
          });
        },
      }),
    );
  });
}

/** Has a complete response with this status (its head, and its Content-Length body) arrived? */
export function hasCompleteResponse(raw: string, status: number): boolean {
  const at = raw.indexOf(`HTTP/1.1 ${status} `);
  if (at < 0) return false;
  const headEnd = raw.indexOf('\r\n\r\n', at);
  if (headEnd < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(raw.slice(at, headEnd))?.[1];
  return length === undefined || raw.length - (headEnd + 4) >= Number(length);
}

/**
 * Every complete response in a raw stream, in order (keep-alive: several on one connection).
 * Bodies are framed by Content-Length; a head without one (and not chunked) has no body.
 */
export function responsesIn(raw: string): Array<Omit<RawResponse, 'raw'>> {
  const found: Array<Omit<RawResponse, 'raw'>> = [];
  let rest = raw;
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (!/^HTTP\/1\.[01] \d{3}/.test(rest) || headEnd < 0) return found;
    const response = parseFirstResponse(rest);
    if (response.headers['transfer-encoding'] !== undefined) return found;
    const length = Number(response.headers['content-length'] ?? 0);
    if (rest.length - (headEnd + 4) < length) return found;
    found.push(response);
    rest = rest.slice(headEnd + 4 + length);
  }
}

/** A chunked body of `totalBytes` (rounded up to whole chunks of `chunkBytes` 'x's), with its last-chunk line. */
export function chunkedBody(totalBytes: number, chunkBytes = 64 * 1024): Buffer {
  const chunk = Buffer.alloc(chunkBytes, 'x');
  const parts: Buffer[] = [];
  for (let sent = 0; sent < totalBytes; sent += chunkBytes) parts.push(Buffer.from(`${chunkBytes.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
