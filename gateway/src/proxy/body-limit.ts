import { Transform, type TransformCallback } from 'node:stream';

export class BodyTooLargeError extends Error {
  // The reason code the client gets (413 body_too_large): one name for one failure.
  readonly code = 'body_too_large';
  constructor() {
    super('request body exceeds the configured limit');
  }
}

/**
 * Counts a body of unknown length (chunked) on its way to the upstream and fails the stream
 * past the limit. A declared Content-Length is checked before forwarding instead, and Node's
 * parser already holds the client to it, so that case needs no counting.
 */
export function limitBody(limitBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limitBytes) callback(new BodyTooLargeError());
      else callback(null, chunk);
    },
  });
}
