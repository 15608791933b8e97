// The gateway's CORS policy: the only Access-Control-* headers a client ever sees.
export { normaliseOrigin } from './origin.js';
export { createCorsPolicy, ALLOW_HEADERS, EXPOSE_HEADERS, type CorsPolicy, type CorsHeaders } from './policy.js';
