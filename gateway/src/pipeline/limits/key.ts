// Who a request counts as: the verified subject, or — on public routes, where there is none —
// the client address (the trusted X-Forwarded-For hop when trust_proxy allows; IPv6 by its /64).
import type { IncomingMessage } from 'node:http';
import { addressLimitKey, clientAddress, type PeerTrust } from '../client-address.js';
import type { Identity } from '../authn/index.js';

export interface LimitKey {
  readonly kind: 'subject' | 'address';
  /** The concurrency key, within its kind's share (subjects and addresses are counted apart). */
  readonly value: string;
}

export function limitKeyOf(req: IncomingMessage, identity: Identity | undefined, peerTrusted: PeerTrust): LimitKey {
  if (identity) return { kind: 'subject', value: identity.subject };
  return { kind: 'address', value: addressLimitKey(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], peerTrusted)) };
}

/** The rate-limit key: subjects and addresses are separate budgets, though a subject may look like an address. */
export function rateKeyOf(key: LimitKey): string {
  return `${key.kind === 'subject' ? 's' : 'a'}:${key.value}`;
}

/** For a trace: who is counted (never a token). */
export function labelOf(key: LimitKey): string {
  return `${key.kind === 'subject' ? 'subject' : 'client address'} ${key.value}`;
}
