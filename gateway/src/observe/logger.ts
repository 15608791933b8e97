import { pino, type Logger } from 'pino';
import type { GatewayConfig } from '../gateway-config.js';

/**
 * JSON logs on stdout. Request lines are built field by field by request-log.ts and never
 * carry headers; the redaction is a second line of defence if anything ever logs a request.
 *
 * Written asynchronously: a synchronous write(2) per access line was the largest single cost
 * the gateway added to a request under load (see bench/README.md, "Where the microseconds go").
 * While one write is in flight the next lines gather in memory and leave in one write, so under
 * load lines are batched and at a low rate each still leaves at once (no timer, no minimum size).
 * What is buffered is written out synchronously when the process exits.
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

let stdout: ReturnType<typeof pino.destination> | undefined;

function stdoutStream(): ReturnType<typeof pino.destination> {
  if (stdout) return stdout;
  const dest = pino.destination({ dest: 1, sync: false });
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
