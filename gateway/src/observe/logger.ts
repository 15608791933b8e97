import { pino, type Logger } from 'pino';
import type { GatewayConfig } from '../gateway-config.js';

/**
 * JSON logs on stdout. Request lines are built field by field by request-log.ts and never
 * carry headers; the redaction is a second line of defence if anything ever logs a request.
 */
export function createLogger(level: GatewayConfig['logLevel'], destination?: NodeJS.WritableStream): Logger {
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
    destination as pino.DestinationStream | undefined,
  );
}
