// The owner rule: on a route with `owner: <param>`, the decoded path parameter must be exactly
// the token subject — byte for byte, case-sensitive (`Alice` is not `alice`). Only the path
// counts; a `user_id` in the query is the upstream's business and never consulted here.
// Fail closed: a missing or non-string parameter, or an empty subject, is a mismatch.

import { deny, type Denial } from '../../errors/reasons.js';
import type { CompiledRoute, RouteParams } from '../route/table.js';

const OK = Object.freeze({ ok: true as const });
const MISMATCH = deny('user_mismatch');

export function checkOwner(route: CompiledRoute, params: RouteParams, subject: string): { readonly ok: true } | Denial {
  if (route.owner === undefined) return OK;
  const value: unknown = Object.hasOwn(params, route.owner) ? params[route.owner] : undefined;
  if (typeof value !== 'string' || typeof subject !== 'string' || subject.length === 0 || value !== subject) return MISMATCH;
  return OK;
}
