import { pino, type Logger } from 'pino';
import { BatchedOutput } from './batched-output.js';

/**
 * JSON logs on stdout. Request lines are built field by field by request-log.ts and never
 * carry headers; the redaction is a second line of defence if anything ever logs a request.
 *
 * Written in batches (batched-output.ts): lines gather in memory and leave in one write, at
 * least every FLUSH_MS, so at a low rate a line is late by at most that. What is buffered is
 * written synchronously on exit.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const stream = destination ?? stdoutStream();
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'token', 'secret', '*.secret', '*.token'],
        censor: '[redacted]',
      },
    },
    stream as pino.DestinationStream,
  );
}

let stdout: BatchedOutput | undefined;

function stdoutStream(): BatchedOutput {
  if (stdout) return stdout;
  const output: BatchedOutput = new BatchedOutput({
    fd: 1,
    // Said in the log itself, once writing caught up: how many lines the reader of stdout missed.
    onDropped: (lines) =>
      output.write(`{"level":40,"time":"${new Date().toISOString()}","lines_dropped":${lines},"msg":"log lines dropped: stdout was not read fast enough"}\n`),
  });
  process.once('exit', () => {
    try {
      output.flushSync();
    } catch {
      // stdout closed under us: nothing left to write to
    }
  });
  stdout = output;
  return output;
}

/**
 * Waits (at most `limitMs`) until the log lines written so far have left stdout: called before
 * process.exit(), which would otherwise cut a batch on its way (the "stopped" line, say).
 */
export function flushStdout(limitMs = 2_000): Promise<void> {
  if (!stdout) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    void stdout!.whenFlushed().then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The stream a logger writes to, so the access log can write its lines beside the logger's. */
export function streamOf(log: Logger): pino.DestinationStream {
  return (log as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!;
}
