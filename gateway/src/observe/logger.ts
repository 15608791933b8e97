import { pino, type Logger } from 'pino';
import type { GatewayConfig } from '../gateway-config.js';

/**
 * JSON logs on stdout. Request lines are built field by field by request-log.ts and never
 * carry headers; the redaction is a second line of defence if anything ever logs a request.
 *
 * Written in batches: a write(2) per access line was the largest single cost the gateway added
 * to a request under load (see bench/README.md, "Where the microseconds go"). Lines gather in
 * memory and leave in one write once 4 KiB are waiting, and at least every FLUSH_MS, so at a low
 * rate a line is late by at most that. What is buffered is written synchronously on exit.
 */
export function createLogger(level: GatewayConfig['logLevel'], destination?: NodeJS.WritableStream): Logger {
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

const BATCH_BYTES = 4096;
const FLUSH_MS = 100;

let stdout: ReturnType<typeof pino.destination> | undefined;

function stdoutStream(): ReturnType<typeof pino.destination> {
  if (stdout) return stdout;
  const dest = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  setInterval(() => dest.flush(), FLUSH_MS).unref();
  process.once('exit', () => {
    try {
      dest.flushSync();
    } catch {
      // stdout closed under us: nothing left to write to
    }
  });
  stdout = dest;
  return dest;
}


/** The stream a logger writes to, so the access log can write its lines beside the logger's. */
export function streamOf(log: Logger): pino.DestinationStream {
  return (log as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!;
}
