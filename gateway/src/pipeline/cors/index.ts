// The gateway's CORS policy: the only Access-Control-* headers a client ever sees.
export { createCorsPolicy, normaliseOrigin, ALLOW_HEADERS, EXPOSE_HEADERS, type CorsPolicy, type CorsHeaders } from './policy.js';
