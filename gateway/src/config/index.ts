// The config loader's public face. Everything else in this folder is an implementation detail.
export { ConfigError } from './config-error.js';
export { parseConfig, type LoadedConfig } from './parse.js';
export { loadConfig } from './load.js';
export { parseDuration, parseSize } from './duration.js';
export { parseRouteTemplate, templateShape, type Segment } from './route-template.js';
export type * from './types.js';
