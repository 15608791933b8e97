// May they: the route table and the owner rule.
export { compileRoutes, routeProblems, type CompiledRoute, type RouteTable, type RouteMatch, type RouteParams, type MethodNotAllowed } from './routes.js';
export { checkOwner } from './owner.js';
export { parseTemplate, type TemplateSegment } from './template.js';
