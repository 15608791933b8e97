// The target stage's first half: the request head as it arrived, before its path is read.
// Node's parser has framed the request already; these are the rules it leaves to us.
import type { IncomingMessage } from 'node:http';
import type { Denial } from '../../errors/reasons.js';
import { checkHost } from './host.js';
import { checkHttpVersion } from './http-version.js';
import { checkTransferCoding } from './transfer-coding.js';

/** undefined when the head may go on to the path checks; else the refusal. */
export function checkRequestHead(req: Pick<IncomingMessage, 'httpVersion' | 'rawHeaders'>): Denial | undefined {
  return checkHttpVersion(req.httpVersion) ?? checkHost(req.rawHeaders) ?? checkTransferCoding(req.rawHeaders);
}
