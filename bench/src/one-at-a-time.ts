// The interleaved client's connection to one target: one request at a time on a keep-alive
// socket, each answer timed from the write to its last byte.
import { connect, type Socket } from 'node:net';
import { completeResponse, formatRequests } from './http-wire.js';
import type { PlannedRequest } from './mix.js';

/** No byte of an answer for this long: the target is stuck, and the run stops naming it. */
export const ANSWER_TIMEOUT_MS = 5_000;

interface Pending {
  readonly index: number;
  startedAt: number;
  /** Some of the answer arrived: a close now loses it, and the request is not sent again. */
  answering: boolean;
  /** Already sent a second time once. */
  resent: boolean;
  readonly resolve: (r: { status: number; us: number; resent: boolean }) => void;
  readonly reject: (e: Error) => void;
}

/**
 * One keep-alive connection that sends a request and times the whole answer. A connection the
 * target closes between answers (nginx after keepalive_requests or with Connection: close, an idle
 * time-out) is opened again before the next request, outside its time, as wrk does; a close that
 * races the next request (no byte of its answer came) sends that request once more on a new
 * connection, timed from there. A target that stops answering fails the run after
 * answerTimeoutMs (ANSWER_TIMEOUT_MS unless told), and so does an answer the client cannot frame.
 */
export class OneAtATime {
  private pending: Pending | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private socket: Socket | undefined;

  private constructor(
    private readonly url: URL,
    private readonly requests: readonly Buffer[],
    private readonly answerTimeoutMs: number,
  ) {}

  static async open(url: string, plan: readonly PlannedRequest[], answerTimeoutMs = ANSWER_TIMEOUT_MS): Promise<OneAtATime> {
    const client = new OneAtATime(new URL(url), formatRequests(url, plan), answerTimeoutMs);
    await client.connect();
    return client;
  }

  async send(index: number): Promise<{ status: number; us: number; resent: boolean }> {
    if (this.socket === undefined) await this.connect();
    return new Promise((resolve, reject) => {
      this.pending = { index, startedAt: performance.now(), answering: false, resent: false, resolve, reject };
      this.socket!.write(this.requests[index]!);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.url.hostname, port: Number(this.url.port) }, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.lost(socket, error));
        this.socket = socket;
        this.buffered = Buffer.alloc(0);
        resolve();
      });
      socket.setNoDelay(true);
      socket.setTimeout(this.answerTimeoutMs, () => {
        if (this.socket === socket && this.pending) this.fail(socket, new Error(`${this.url.host} sent no answer for ${this.answerTimeoutMs / 1000} s`));
      });
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
      socket.on('close', () => this.lost(socket, new Error(`${this.url.host} closed the connection before answering`)));
    });
  }

  /** Closed or broken: a request no byte of whose answer came goes once more; otherwise it fails. */
  private lost(socket: Socket, error: Error): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const pending = this.pending;
    if (pending === undefined) return;
    if (pending.answering || pending.resent) return this.fail(socket, error);
    pending.resent = true;
    this.connect().then(
      () => {
        pending.startedAt = performance.now();
        this.socket!.write(this.requests[pending.index]!);
      },
      (reason: Error) => this.fail(undefined, reason),
    );
  }

  private fail(socket: Socket | undefined, error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    if (socket !== undefined && this.socket === socket) this.socket = undefined;
    socket?.destroy();
    pending?.reject(error);
  }

  private onData(socket: Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    if (this.pending) this.pending.answering = true;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let answer: ReturnType<typeof completeResponse>;
    try {
      answer = completeResponse(this.buffered);
    } catch (error) {
      return this.fail(socket, new Error(`${this.url.host}: ${(error as Error).message}`));
    }
    if (answer === undefined || this.pending === undefined) return;
    const { resolve, startedAt, resent } = this.pending;
    this.pending = undefined;
    this.buffered = this.buffered.subarray(answer.length);
    if (answer.close) {
      // The target ends the connection with this answer: the next request goes on a new one.
      this.socket = undefined;
      socket.destroy();
    }
    resolve({ status: answer.status, us: (performance.now() - startedAt) * 1000, resent });
  }
}
