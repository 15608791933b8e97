// Stage 1, what arrived: the canonical request target (decode once, refuse ambiguity).
export { parseRequestTarget, MAX_PATH_BYTES, MAX_SEGMENTS, type RequestTarget, type ParsedTarget } from './target.js';
