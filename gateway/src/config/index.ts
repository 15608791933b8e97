// The config toolkit: YAML, ${VAR} substitution, problems by key path, value readers. Each
// stage reads its own section with these; gateway-config.ts composes the whole file.
export { ConfigError } from './config-error.js';
export { parseDuration, parseSize } from './duration.js';
export type * from './types.js';
