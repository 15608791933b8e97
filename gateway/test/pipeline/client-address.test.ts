// pipeline/client-address.ts: whether a peer is a proxy whose X-Forwarded-* may be believed.

import { describe, expect, it } from 'vitest';
import { addressLimitKey, clientAddress, createPeerTrust, unmapIPv4 } from '../../src/pipeline/client-address.js';

describe('createPeerTrust', () => {
  it('false or an empty list trusts no one', () => {
    for (const config of [false, []] as const) {
      const trusted = createPeerTrust(config);
      expect(trusted('127.0.0.1')).toBe(false);
      expect(trusted('::1')).toBe(false);
      expect(trusted(undefined)).toBe(false);
    }
  });

  it('true trusts every peer', () => {
    const trusted = createPeerTrust(true);
    expect(trusted('203.0.113.9')).toBe(true);
    expect(trusted('::1')).toBe(true);
  });

  it('a list trusts exactly its addresses and subnets, IPv4 and IPv6', () => {
    const trusted = createPeerTrust(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']);
    expect(trusted('10.255.0.1')).toBe(true);
    expect(trusted('192.168.1.7')).toBe(true);
    expect(trusted('fd12:3456::1')).toBe(true);
    expect(trusted('::1')).toBe(true);
    for (const outside of ['11.0.0.1', '192.168.1.8', 'fe80::1', '::2', '127.0.0.1']) expect(trusted(outside), outside).toBe(false);
  });

  it('an IPv4 peer seen on a dual-stack socket (::ffff:a.b.c.d) is matched as IPv4', () => {
    const trusted = createPeerTrust(['10.0.0.0/8']);
    expect(trusted('::ffff:10.1.2.3')).toBe(true);
    expect(trusted('::ffff:11.1.2.3')).toBe(false);
  });

  it('a peer without an address (a socket already gone) is never trusted by a list', () => {
    expect(createPeerTrust(['0.0.0.0/0'])(undefined)).toBe(false);
  });
});

describe('unmapIPv4', () => {
  it('strips ::ffff: only in front of an IPv4 address', () => {
    expect(unmapIPv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIPv4('127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIPv4('::ffff:abcd')).toBe('::ffff:abcd');
    expect(unmapIPv4('::1')).toBe('::1');
  });
});

describe('clientAddress', () => {
  const trustLocal = createPeerTrust(['127.0.0.1', '10.0.0.0/8']);

  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', trustLocal)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', undefined, trustLocal)).toBe('203.0.113.9');
  });

  it('behind trusted proxies, is the rightmost hop that is not one of them; what the client prepended is never believed', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.1', trustLocal)).toBe('198.51.100.1');
    expect(clientAddress('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3', trustLocal)).toBe('198.51.100.1');
    expect(clientAddress('127.0.0.1', ['6.6.6.6', '198.51.100.1'], trustLocal)).toBe('198.51.100.1');
  });

  it('stops at the last good hop when an entry is not an address', () => {
    expect(clientAddress('127.0.0.1', 'garbage, 198.51.100.1', trustLocal)).toBe('198.51.100.1');
    expect(clientAddress('127.0.0.1', '198.51.100.1, garbage', trustLocal)).toBe('127.0.0.1');
  });
});

describe('addressLimitKey', () => {
  it('is the address for IPv4 and the /64 for IPv6, however the address is spelled', () => {
    expect(addressLimitKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressLimitKey('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(addressLimitKey('2001:0db8:0001:0002:ffff:0:0:b')).toBe('2001:db8:1:2::/64');
    expect(addressLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(addressLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
