// Stage: the owner rule (path parameter == token subject).
export { checkOwner } from './owner.js';
