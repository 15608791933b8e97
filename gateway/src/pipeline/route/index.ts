// Stage: the route table (compiled once from the config) and the method check.
export { buildRouteTable, type CompiledRoute, type RouteTable, type RouteMatch, type RouteParams, type RouteSpec } from './table.js';
export { readRoutes, compileRoutes } from './config.js';
export { parseRouteTemplate, templateShape, type Segment } from './template.js';
