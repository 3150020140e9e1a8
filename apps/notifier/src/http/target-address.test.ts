import { describe, expect, it } from '@jest/globals';
import { assertPublicLiteral, nonPublicAddressKind, publicOnlyLookup, TargetRefusedError } from './target-address.ts';

describe('nonPublicAddressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique local (private)'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['2002:7f00:1::', '6to4'],
    ['[::1]', 'loopback'],
    ['example.com', 'not an IP address'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(nonPublicAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])('allows public %s', (address) => {
    expect(nonPublicAddressKind(address)).toBeNull();
  });
});

describe('assertPublicLiteral', () => {
  it('refuses private literals with the switch named, and lets names through to the lookup', () => {
    expect(() => assertPublicLiteral('127.0.0.1')).toThrow(/127\.0\.0\.1 is loopback.*NOTIFIER_ALLOW_PRIVATE_TARGETS/);
    expect(() => assertPublicLiteral('[::1]')).toThrow(TargetRefusedError);
    expect(() => assertPublicLiteral('8.8.8.8')).not.toThrow();
    expect(() => assertPublicLiteral('localhost')).not.toThrow();
  });
});

describe('publicOnlyLookup', () => {
  it('refuses a name that resolves to a loopback address', async () => {
    const error = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', { all: true }, (e) => resolve(e)));
    expect(error).toBeInstanceOf(TargetRefusedError);
    expect(error?.message).toMatch(/localhost resolves to .*loopback/);
  });
});
