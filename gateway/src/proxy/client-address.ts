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
