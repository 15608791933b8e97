// The gateway as a library: what the CLI does, for embedding and for tests.
export { buildGateway, startGateway, type Gateway, type RunningGateway, type GatewayDeps } from './server.js';
export { ConfigError } from './config/index.js';
export { loadConfig, parseConfig, type GatewayConfig, type LoadedConfig } from './gateway-config.js';
export { createLogger } from './observe/logger.js';
export { GatewayMetrics } from './observe/metrics.js';
export { errorResponse, deny, type Reason, type Denial } from './errors/reasons.js';
