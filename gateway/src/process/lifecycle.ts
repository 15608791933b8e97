import type { Logger } from 'pino';
import type { GatewayConfig } from '../gateway-config.js';

/**
 * Start, stop and reload lines are part of the contract (scripts wait for "listening" and
 * "reloaded"), so they are written at any log level short of silent; request lines still
 * follow log_level.
 */
export function lifecycle(log: Logger, level: GatewayConfig['logLevel']): Logger {
  return level === 'silent' || log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' });
}
