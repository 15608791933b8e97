// Owner routes: every path with the owner parameter gets `owner:`, so the gateway compares it
// with the token subject. A parameter that merely *looks* like a user id is never promoted on a
// guess (a wrong owner rule locks users out, or lets the wrong ones in); it is named in a warning.
import type { PlannedRoute } from './plan.js';

/** Words that, as a whole parameter name or its last word, usually name a user or an account. */
const OWNER_WORDS = ['user', 'owner', 'account', 'member', 'customer', 'profile', 'subject', 'principal'];
const OWNER_SUFFIXES = ['', 'id', 'uuid', 'key', 'name'];
const OWNER_EXACT = new Set(['uid', 'sub', 'userid', 'username']);

/** userId, user-id, user_id, UserID, owner_id, account_id, friend_user_id, uid, … */
export function looksLikeOwner(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length === 0) return false;
  if (OWNER_EXACT.has(words.join(''))) return true;
  const last = words[words.length - 1]!;
  const beforeLast = words[words.length - 2];
  // "user_id": the last word is a suffix after an owner word; "userid", "user": one word.
  if (beforeLast !== undefined && OWNER_SUFFIXES.includes(last) && OWNER_WORDS.includes(beforeLast)) return true;
  return OWNER_WORDS.some((word) => OWNER_SUFFIXES.some((suffix) => last === word + suffix));
}

/** Sets `owner` where the path has the owner parameter; returns the warnings about the rest. */
export function assignOwners(routes: readonly PlannedRoute[], ownerParam: string): string[] {
  const lookalikes = new Map<string, string[]>();
  let owned = 0;
  for (const route of routes) {
    if (route.params.includes(ownerParam)) {
      route.owner = ownerParam;
      owned++;
      continue;
    }
    for (const param of route.params.filter(looksLikeOwner)) {
      route.review.push(`:${param} looks like a user id but is not checked against the token (the owner parameter is ${ownerParam})`);
      lookalikes.set(param, [...(lookalikes.get(param) ?? []), route.openapiPath]);
    }
  }
  const warnings: string[] = [];
  for (const [param, paths] of lookalikes) {
    warnings.push(
      `{${param}} looks like an owner parameter, but the owner parameter is ${ownerParam}, so these routes only require a valid token, ` +
        `whoever's ${param} is in the path: ${paths.join(', ')}. If ${param} is the token's subject, run init again with --owner-param ${param}; ` +
        'otherwise make sure the upstream checks it',
    );
  }
  if (owned === 0) {
    warnings.push(`no path has the owner parameter {${ownerParam}}: no route checks the path's user against the token subject; if your API names the user differently, pass --owner-param NAME`);
  }
  return warnings;
}
