// What arrived: the canonical request target and the Bearer credential.
export { parseRequestTarget, MAX_PATH_BYTES, MAX_SEGMENTS, type RequestTarget, type ParsedTarget } from './target.js';
export { extractBearer, hasAccessTokenParam, MAX_TOKEN_BYTES, type ExtractedBearer } from './bearer.js';
