// Log lines leave the process in batches: one write(2) per line was the largest single cost the
// gateway added to a request under load, and pino's own asynchronous destination (sonic-boom)
// re-measures the UTF-8 length of its whole pending buffer on every line, which under load costs
// more than the line itself (bench/README.md, "Where the microseconds go"). Here a line is pushed
// onto an array; the array is joined and written as one Buffer once BATCH_CHARS are waiting or
// FLUSH_MS have passed, with one write in flight at a time. What is pending is written
// synchronously on exit.
import { write, writeSync } from 'node:fs';

export const BATCH_CHARS = 16 * 1024;
export const FLUSH_MS = 100;
/**
 * What may wait while the reader of stdout (a log collector) does not keep up: beyond it lines
 * are dropped and counted, rather than growing the gateway's memory without bound.
 */
export const MAX_PENDING_CHARS = 16 * 1024 * 1024;

export interface BatchedOutputOptions {
  readonly fd: number;
  readonly batchChars?: number;
  readonly flushMs?: number;
  readonly maxPendingChars?: number;
  /** Told once per episode, when lines had to be dropped and writing caught up again. */
  readonly onDropped?: (lines: number) => void;
}

export class BatchedOutput {
  private pending: string[] = [];
  private pendingChars = 0;
  private writing = false;
  private dropped = 0;
  private broken = false;
  private readonly timer: NodeJS.Timeout;
  private flushed: Array<() => void> = [];
  private readonly batchChars: number;
  private readonly maxPendingChars: number;

  constructor(private readonly options: BatchedOutputOptions) {
    this.batchChars = options.batchChars ?? BATCH_CHARS;
    this.maxPendingChars = options.maxPendingChars ?? MAX_PENDING_CHARS;
    this.timer = setInterval(() => this.flush(), options.flushMs ?? FLUSH_MS);
    this.timer.unref();
  }

  /** pino's destination interface: one serialised line (or several) at a time. */
  write(line: string): boolean {
    if (this.broken) return false;
    if (this.pendingChars + line.length > this.maxPendingChars) {
      this.dropped++;
      return false;
    }
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= this.batchChars) this.flush();
    return true;
  }

  /** Starts writing what is pending, unless a write is already on its way (it continues then). */
  flush(): void {
    if (this.writing || this.pendingChars === 0 || this.broken) return;
    const batch = Buffer.from(this.takePending(), 'utf8');
    this.writing = true;
    this.writeAll(batch, 0);
  }

  /**
   * Resolves once every line written so far has left (or cannot: stdout closed). process.exit()
   * does not wait for a write on its way, so the last lines of a stop are awaited with this first.
   */
  whenFlushed(): Promise<void> {
    this.flush();
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.flushed.push(resolve));
  }

  /** On exit: whatever is pending (not a write already on its way), written before the process ends. */
  flushSync(): void {
    clearInterval(this.timer);
    if (this.pendingChars === 0 || this.broken) return;
    const batch = Buffer.from(this.takePending(), 'utf8');
    let offset = 0;
    while (offset < batch.length) offset += writeSync(this.options.fd, batch, offset);
  }

  private takePending(): string {
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    return text;
  }

  private writeAll(batch: Buffer, offset: number): void {
    write(this.options.fd, batch, offset, batch.length - offset, null, (error, written) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A non-blocking pipe that is full: try again shortly, keeping the batch.
        if (code === 'EAGAIN') {
          setTimeout(() => this.writeAll(batch, offset), 10).unref();
          return;
        }
        // stdout closed under us (EPIPE, EBADF): nothing left to write to; never crash for it.
        this.broken = true;
        this.pending = [];
        this.pendingChars = 0;
        this.writing = false;
        this.settled();
        return;
      }
      if (offset + written < batch.length) return this.writeAll(batch, offset + written);
      this.writing = false;
      if (this.dropped > 0 && this.pendingChars < this.maxPendingChars / 2) {
        this.options.onDropped?.(this.dropped);
        this.dropped = 0;
      }
      if (this.pendingChars >= this.batchChars || (this.flushed.length > 0 && this.pendingChars > 0)) this.flush();
      if (!this.writing) this.settled();
    });
  }

  private settled(): void {
    const waiting = this.flushed;
    this.flushed = [];
    for (const resolve of waiting) resolve();
  }
}
