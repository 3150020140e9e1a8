import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Addresses a notification may not be sent to unless NOTIFIER_ALLOW_PRIVATE_TARGETS is on: a
// webhook URL is user input, and without this it reaches the cluster's own services and the cloud
// metadata endpoint (server-side request forgery).
const RANGES: ReadonlyArray<readonly [label: string, network: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['unspecified ("this network")', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['carrier-grade NAT', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['IETF protocol assignments', '192.0.0.0', 24, 'ipv4'],
  ['documentation', '192.0.2.0', 24, 'ipv4'],
  ['6to4 relay', '192.88.99.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['benchmarking', '198.18.0.0', 15, 'ipv4'],
  ['documentation', '198.51.100.0', 24, 'ipv4'],
  ['documentation', '203.0.113.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  // Checked whole rather than by the IPv4 address inside: no public receiver needs these forms.
  ['IPv4-mapped', '::ffff:0:0', 96, 'ipv6'],
  ['IPv4-translated', '::ffff:0:0:0', 96, 'ipv6'],
  ['NAT64', '64:ff9b::', 96, 'ipv6'],
  ['NAT64 local use', '64:ff9b:1::', 48, 'ipv6'],
  ['discard', '100::', 64, 'ipv6'],
  ['Teredo', '2001::', 32, 'ipv6'],
  ['documentation', '2001:db8::', 32, 'ipv6'],
  ['6to4', '2002::', 16, 'ipv6'],
  ['unique local (private)', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['site-local', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const LISTS = RANGES.map(([label, network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { label, family, list };
});

/**
 * Why `address` (an IPv4 or IPv6 literal) is not a public unicast address — `'loopback'`,
 * `'private'`, `'link-local'`, ... — or null when it is public. Anything that is not an IP is refused.
 */
export function nonPublicAddressKind(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const version = isIP(bare);
  if (version === 0) return 'not an IP address';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  // BlockList compares IPv4-mapped IPv6 addresses against IPv4 rules too, so check rules by family.
  const hit = LISTS.find((entry) => entry.family === family && entry.list.check(bare, family));
  return hit?.label ?? null;
}

/** A target the notifier refuses to call; a permanent failure of the delivery. */
export class TargetRefusedError extends Error {
  readonly code = 'ERR_TARGET_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

const ALLOW_HINT = 'set NOTIFIER_ALLOW_PRIVATE_TARGETS=true to allow such targets';

/** Refuses a URL whose host is an IP literal of a non-public address (no DNS lookup happens for those). */
export function assertPublicLiteral(hostname: string): void {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) === 0) return;
  const kind = nonPublicAddressKind(bare);
  if (kind !== null) throw new TargetRefusedError(`target address ${bare} is ${kind}, not public; ${ALLOW_HINT}`);
}

/**
 * A DNS lookup for outgoing requests that resolves every address of the name, refuses the name
 * when any of them is not public, and hands the connection exactly the addresses it checked: a
 * second resolution (DNS rebinding) never happens between the check and the connect.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { all: true, family: options.family ?? 0, ...(options.hints === undefined ? {} : { hints: options.hints }) }, (error, addresses: LookupAddress[]) => {
    if (error) {
      callback(error, '', 0);
      return;
    }
    const refused = addresses.map((a) => ({ ...a, kind: nonPublicAddressKind(a.address) })).find((a) => a.kind !== null);
    if (refused || addresses.length === 0) {
      const why = refused ? `resolves to ${refused.address}, which is ${refused.kind}, not public` : 'resolves to no address';
      callback(Object.assign(new TargetRefusedError(`target host ${hostname} ${why}; ${ALLOW_HINT}`), { hostname }), '', 0);
      return;
    }
    if (options.all) {
      (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
      return;
    }
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
