// Stage: exactly one Bearer credential (RFC 6750), never a query parameter or a cookie.
export { extractBearer, hasAccessTokenParam, MAX_TOKEN_BYTES, type ExtractedBearer } from './bearer.js';
