import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatherOciTags } from '../src/gather/oci.ts';
import { startCredentialCatcher } from './helpers/credential-catcher.ts';
import { hostPortOf, scoped } from './helpers/credentials.ts';
import { captureLogger } from './helpers/logger.ts';
import { pushImages, startDistributionRegistry, type DistributionRegistry } from './helpers/oci-registry.ts';
import { startTokenRegistry, type TokenRegistryStandIn } from './helpers/oci-token-registry.ts';

const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString();
const images = [
  ...Array.from({ length: 12 }, (_, i) => ({ tag: `1.${i}.0`, created: day(i) })),
  { tag: '2.0.0-rc.1', created: day(20) },
  { tag: 'latest', created: day(11) },
];

describe('OCI registries', () => {
  const { logger, lines } = captureLogger();

  describe('the CNCF distribution registry (docker-registry), plain http', () => {
    let open: DistributionRegistry;
    let locked: DistributionRegistry;
    const auth = { username: 'ci-bot', password: 'registry-pass' };

    beforeAll(async () => {
      open = await startDistributionRegistry();
      locked = await startDistributionRegistry(auth);
      await pushImages(open, 'team/app', images, { multiPlatformTags: ['1.11.0'] });
      await pushImages(locked, 'team/private', images.slice(0, 3));
    }, 30_000);
    afterAll(async () => {
      await open?.stop();
      await locked?.stop();
    });

    it('lists every tag and dates the newest-looking ones from their image config', async () => {
      const result = await gatherOciTags({ registryUrl: open.url, repository: 'team/app' }, { logger, limits: { datedTags: 4 } });
      const byTag = new Map(result.releases.map((release) => [release.tag, release]));
      expect([...byTag.keys()].sort()).toEqual(images.map((image) => image.tag).sort());
      // 2.0.0-rc.1 and the three highest 1.x: 1.11.0 is a multi-platform index, dated by its amd64 image.
      // The digest of each manifest read is kept, for images deployed by digest only.
      expect(byTag.get('2.0.0-rc.1')).toEqual({ tag: '2.0.0-rc.1', publishedAt: day(20), prerelease: false, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
      expect(byTag.get('1.8.0')?.digest).toBeUndefined();
      expect(byTag.get('1.11.0')?.publishedAt).toBe(day(11));
      expect(byTag.get('1.9.0')?.publishedAt).toBe(day(9));
      expect(byTag.get('1.8.0')?.publishedAt).toBeNull();
      expect(byTag.get('latest')?.publishedAt).toBeNull();
      expect(lines().some((line) => String(line.msg).includes('publishedAt read from image configs for 4 of the 4 newest-looking tags; left empty for the rest'))).toBe(true);
    });

    it('applies the job tag filter before dating', async () => {
      const result = await gatherOciTags({ registryUrl: open.url, repository: 'team/app' }, { logger, tagFilter: '^1\\.1?[0-1]\\.', limits: { datedTags: 10 } });
      expect(result.releases.map((r) => r.tag).sort()).toEqual(['1.0.0', '1.1.0', '1.10.0', '1.11.0']);
      expect(result.releases.every((r) => r.publishedAt !== null)).toBe(true);
    });

    it('fails clearly for a repository the registry does not have', async () => {
      await expect(gatherOciTags({ registryUrl: open.url, repository: 'team/none' }, { logger })).rejects.toMatchObject({
        message: `repository team/none not found on ${open.url} (HTTP 404)`,
        retryable: false,
      });
    });

    it('answers a basic-auth challenge with a registry_basic credential', async () => {
      await expect(gatherOciTags({ registryUrl: locked.url, repository: 'team/private' }, { logger })).rejects.toMatchObject({
        message: 'the registry requires credentials for team/private; set a registry_basic credential on the job',
        retryable: false,
      });
      const result = await gatherOciTags(
        { registryUrl: locked.url, repository: 'team/private' },
        { logger, credential: scoped({ type: 'registry_basic', ...auth }, [hostPortOf(locked.url)]) },
      );
      expect(result.releases.map((r) => r.tag).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
      expect(result.releases.find((r) => r.tag === '1.2.0')?.publishedAt).toBe(day(2));
      await expect(
        gatherOciTags({ registryUrl: locked.url, repository: 'team/private' }, { logger, credential: scoped({ type: 'registry_basic', username: 'ci-bot', password: 'wrong' }, [hostPortOf(locked.url)]) }),
      ).rejects.toMatchObject({ message: 'the registry refused the credential for team/private', retryable: false });
    });
  });

  describe('a token-authenticated registry (stand-in for the Bearer challenge and pagination)', () => {
    let registry: TokenRegistryStandIn;
    beforeAll(async () => {
      registry = await startTokenRegistry();
      registry.repositories.set('library/nginx', { tags: Array.from({ length: 2345 }, (_, i) => `1.${Math.floor(i / 100)}.${i % 100}`), private: false });
      registry.repositories.set('acme/secret', { tags: ['3.1.0', '3.2.0'], private: true });
    });
    afterAll(() => registry.close());

    it('follows Link pages with an anonymous bearer token', async () => {
      registry.requests.length = 0;
      const result = await gatherOciTags({ registryUrl: registry.url, repository: 'library/nginx' }, { logger, limits: { datedTags: 0 } });
      expect(result.releases).toHaveLength(2345);
      expect(new Set(result.releases.map((r) => r.tag)).size).toBe(2345);
      const pages = registry.requests.filter((r) => r.path.includes('/tags/list') && r.authorization !== undefined);
      expect(pages).toHaveLength(3);
      expect(pages[1]?.path).toMatch(/last=.*&n=1000/);
      expect(registry.requests.filter((r) => r.path.startsWith('/token'))).toHaveLength(1);
    });

    it('fetches the token with basic auth for a private repository', async () => {
      await expect(gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { logger })).rejects.toMatchObject({
        message: 'the registry requires credentials for acme/secret; set a registry_basic credential on the job',
      });
      const result = await gatherOciTags(
        { registryUrl: registry.url, repository: 'acme/secret' },
        { logger, credential: scoped({ type: 'registry_basic', ...registry.credentials }, [hostPortOf(registry.url)]) },
      );
      expect(result.releases.map((r) => r.tag)).toEqual(['3.1.0', '3.2.0']);
      await expect(
        gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { logger, credential: scoped({ type: 'registry_basic', username: 'robot$ci', password: 'nope' }, [hostPortOf(registry.url)]) }),
      ).rejects.toMatchObject({ message: 'the registry token service refused the credential (HTTP 401)', retryable: false });
    });

    it('fails clearly past the tag cap', async () => {
      await expect(
        gatherOciTags({ registryUrl: registry.url, repository: 'library/nginx' }, { logger, limits: { maxTags: 1500, datedTags: 0 } }),
      ).rejects.toMatchObject({ message: 'library/nginx has more than 1500 tags; the agent stops listing there', retryable: false });
    });

    it('fails clearly when more tags pass the filter than a result may carry', async () => {
      await expect(
        gatherOciTags({ registryUrl: registry.url, repository: 'library/nginx' }, { logger, limits: { maxReleases: 2000, datedTags: 0 } }),
      ).rejects.toMatchObject({ message: "library/nginx has 2345 tags, more than the 2000 one result may carry; narrow the job's tag filter", retryable: false });
    });
  });

  describe('the credential goes only to the hosts it lists (a token-authenticated stand-in)', () => {
    let registry: TokenRegistryStandIn;
    const credential = (hosts: string[] | null) => scoped({ type: 'registry_basic' as const, ...registry.credentials }, hosts, 'site-registry');
    const localhostOrigin = () => `http://localhost:${registry.port}`;
    beforeAll(async () => {
      registry = await startTokenRegistry();
      registry.repositories.set('acme/secret', { tags: Array.from({ length: 30 }, (_, i) => `3.${i}.0`), private: true });
    });
    afterAll(() => registry.close());

    it('refuses a registry outside the hosts before any request, naming the host', async () => {
      registry.requests.length = 0;
      await expect(
        gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { logger, credential: credential(['registry.example.com']) }),
      ).rejects.toMatchObject({
        message: `credential site-registry may not be sent to ${hostPortOf(registry.url)}: that host is not in the hosts: of agent.credentials.site-registry (registry.example.com); the agent refused to send it`,
        retryable: false,
      });
      expect(registry.requests).toEqual([]);
    });

    it('refuses a credential without hosts (a config.yaml from before scopes)', async () => {
      await expect(gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { logger, credential: credential(null) })).rejects.toMatchObject({
        message: expect.stringMatching(/^credential site-registry has no hosts: in the agent's config\.yaml/),
        retryable: false,
      });
    });

    it('never sends the saved authorization to a next page on another origin', async () => {
      const attacker = await startCredentialCatcher();
      attacker.respond = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'acme/secret', tags: ['6.6.6'] }) });
      registry.linkOrigin = attacker.url;
      try {
        const result = await gatherOciTags(
          { registryUrl: registry.url, repository: 'acme/secret' },
          { logger, credential: credential([hostPortOf(registry.url)]), limits: { pageSize: 10, datedTags: 0 } },
        );
        expect(attacker.requests.map((r) => r.path)).toEqual(['/v2/acme/secret/tags/list?last=3.17.0&n=10']);
        expect(attacker.credentialsSeen()).toEqual([]);
        expect(result.releases.map((r) => r.tag)).toContain('6.6.6');
      } finally {
        registry.linkOrigin = undefined;
        await attacker.close();
      }
    });

    it('fails clearly when a next page on another origin asks for credentials, sending none', async () => {
      registry.linkOrigin = localhostOrigin();
      registry.requests.length = 0;
      try {
        await expect(
          gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { logger, credential: credential([hostPortOf(registry.url)]), limits: { pageSize: 10, datedTags: 0 } }),
        ).rejects.toMatchObject({
          message: `the tag list continues at localhost:${registry.port}, another origin than the registry's, which asks for credentials; the agent sends none across origins`,
          retryable: false,
        });
        expect(registry.requests.filter((r) => r.host === `localhost:${registry.port}`).map((r) => r.authorization)).toEqual([undefined]);
      } finally {
        registry.linkOrigin = undefined;
      }
    });

    it('sends the credential to a token realm on another host only when its hosts list that host', async () => {
      registry.realmOrigin = localhostOrigin();
      registry.requests.length = 0;
      try {
        await expect(
          gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { logger, credential: credential([hostPortOf(registry.url)]), limits: { datedTags: 0 } }),
        ).rejects.toMatchObject({
          message: `credential site-registry may not be sent to the registry's token service at localhost:${registry.port}: that host is not in the hosts: of agent.credentials.site-registry (${hostPortOf(registry.url)}); the agent refused to send it`,
          retryable: false,
        });
        expect(registry.requests.filter((r) => r.path.startsWith('/token'))).toEqual([]);

        const result = await gatherOciTags(
          { registryUrl: registry.url, repository: 'acme/secret' },
          { logger, credential: credential([hostPortOf(registry.url), `localhost:${registry.port}`]), limits: { datedTags: 0 } },
        );
        expect(result.releases).toHaveLength(30);
        expect(registry.requests.filter((r) => r.path.startsWith('/token')).map((r) => r.host)).toEqual([`localhost:${registry.port}`]);
      } finally {
        registry.realmOrigin = undefined;
      }
    });
  });
});
