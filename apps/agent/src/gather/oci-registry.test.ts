import { describe, expect, it } from '@jest/globals';
import { toIsoOrNull } from './dates.ts';
import { newestLookingTags } from './oci.ts';
import { parseChallenge, registryLocation } from './oci-registry.ts';

describe('registryLocation', () => {
  it('defaults to https and maps Docker Hub names to its API host and library/ namespace', () => {
    expect(registryLocation('ghcr.io', 'acme/app')).toEqual({ base: 'https://ghcr.io', repository: 'acme/app' });
    expect(registryLocation('https://docker.io', 'nginx')).toEqual({ base: 'https://registry-1.docker.io', repository: 'library/nginx' });
    expect(registryLocation('http://127.0.0.1:5000/', 'team/app')).toEqual({ base: 'http://127.0.0.1:5000', repository: 'team/app' });
  });
});

describe('parseChallenge', () => {
  it('reads a bearer challenge, quoted values with commas included', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull,push' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});

describe('newestLookingTags', () => {
  it('orders tags that parse as versions, highest first, and drops the rest', () => {
    expect(newestLookingTags(['latest', '1.9.0', '1.10.0', 'v2.0.0-rc.1', 'sha256-abc.sig', '1.10.0-alpine', '20'], 3)).toEqual(['v2.0.0-rc.1', '1.10.0', '1.10.0-alpine']);
  });
});

describe('toIsoOrNull', () => {
  it('normalizes dates with nanoseconds and offsets, and refuses the rest', () => {
    expect(toIsoOrNull('2024-08-13T10:37:52.108254612Z')).toBe('2024-08-13T10:37:52.108Z');
    expect(toIsoOrNull('2024-08-20T08:00:00+02:00')).toBe('2024-08-20T06:00:00.000Z');
    expect(toIsoOrNull('yesterday')).toBeNull();
    expect(toIsoOrNull(null)).toBeNull();
  });
});
