import { BlockList, isIP } from 'node:net';
import type { TrustProxyConfig } from '../config/types.js';

/** Decides, once per request, whether the peer's own X-Forwarded-* may be believed. */
export type PeerTrust = (peerAddress: string | undefined) => boolean;

export function createPeerTrust(trust: TrustProxyConfig): PeerTrust {
  if (trust === true) return () => true;
  if (trust === false || trust.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of trust) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (peer) => {
    if (!peer) return false;
    const address = unmapIPv4(peer);
    return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  };
}

/** `::ffff:10.0.0.1` is how a dual-stack socket reports an IPv4 peer. */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Who the client is, as far as the gateway can know: the peer's address, or — when trust_proxy
 * trusts the peer — the rightmost X-Forwarded-For entry that is not itself a trusted proxy (the
 * hop the trusted chain received the request from). Everything left of that is the client's own
 * claim and never believed. An entry that is not an IP address ends the walk at the last good hop.
 */
export function clientAddress(peerAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: PeerTrust): string {
  let client = peerAddress ? unmapIPv4(peerAddress) : '';
  if (forwardedFor === undefined || !trusted(client)) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!.trim();
    if (isIP(hop) === 0) break;
    client = unmapIPv4(hop);
    if (!trusted(client)) break;
  }
  return client;
}

/**
 * The key limits count a client address under: the address itself for IPv4, its /64 for IPv6
 * (one subscriber usually holds a whole /64, so per-address counting would be no limit at all).
 */
export function addressLimitKey(address: string): string {
  return isIP(address) === 6 ? `${ipv6Prefix64(address)}::/64` : address;
}

function ipv6Prefix64(address: string): string {
  const bare = address.split('%')[0]!;
  const split = bare.indexOf('::');
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  // An embedded IPv4 tail (…:1.2.3.4) stands for two groups.
  const width = (groups: string[]): number => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  let groups: string[];
  if (split < 0) groups = groupsOf(bare);
  else {
    const head = groupsOf(bare.slice(0, split));
    const tail = groupsOf(bare.slice(split + 2));
    groups = [...head, ...Array<string>(Math.max(0, 8 - width(head) - width(tail))).fill('0'), ...tail];
  }
  return groups.slice(0, 4).map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16))).join(':');
}
