// Stage 1, what arrived: the request head (HTTP version, Host, transfer coding), then the
// canonical request target (decode once, refuse ambiguity).
export { checkRequestHead } from './request-head.js';
export { isValidHost, MAX_HOST_LENGTH } from './host.js';
export { parseRequestTarget, MAX_PATH_BYTES, MAX_SEGMENTS, type RequestTarget, type ParsedTarget } from './target.js';
