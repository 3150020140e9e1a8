import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatherOciTags } from '../src/gather/oci.ts';
import { createExpressionSandbox } from '../src/sandbox/sandbox.ts';
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
  const sandbox = createExpressionSandbox();
  const { logger, lines } = captureLogger();
  afterAll(() => sandbox.close());

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
      const result = await gatherOciTags({ registryUrl: open.url, repository: 'team/app' }, { sandbox, logger, limits: { datedTags: 4 } });
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
      const result = await gatherOciTags({ registryUrl: open.url, repository: 'team/app' }, { sandbox, logger, tagFilter: '^1\\.1?[0-1]\\.', limits: { datedTags: 10 } });
      expect(result.releases.map((r) => r.tag).sort()).toEqual(['1.0.0', '1.1.0', '1.10.0', '1.11.0']);
      expect(result.releases.every((r) => r.publishedAt !== null)).toBe(true);
    });

    it('fails clearly for a repository the registry does not have', async () => {
      await expect(gatherOciTags({ registryUrl: open.url, repository: 'team/none' }, { sandbox, logger })).rejects.toMatchObject({
        message: `repository team/none not found on ${open.url} (HTTP 404)`,
        retryable: false,
      });
    });

    it('answers a basic-auth challenge with a registry_basic credential', async () => {
      await expect(gatherOciTags({ registryUrl: locked.url, repository: 'team/private' }, { sandbox, logger })).rejects.toMatchObject({
        message: 'the registry requires credentials for team/private; set a registry_basic credential on the job',
        retryable: false,
      });
      const result = await gatherOciTags(
        { registryUrl: locked.url, repository: 'team/private' },
        { sandbox, logger, credential: { type: 'registry_basic', ...auth } },
      );
      expect(result.releases.map((r) => r.tag).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
      expect(result.releases.find((r) => r.tag === '1.2.0')?.publishedAt).toBe(day(2));
      await expect(
        gatherOciTags({ registryUrl: locked.url, repository: 'team/private' }, { sandbox, logger, credential: { type: 'registry_basic', username: 'ci-bot', password: 'wrong' } }),
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
      const result = await gatherOciTags({ registryUrl: registry.url, repository: 'library/nginx' }, { sandbox, logger, limits: { datedTags: 0 } });
      expect(result.releases).toHaveLength(2345);
      expect(new Set(result.releases.map((r) => r.tag)).size).toBe(2345);
      const pages = registry.requests.filter((r) => r.path.includes('/tags/list') && r.authorization !== undefined);
      expect(pages).toHaveLength(3);
      expect(pages[1]?.path).toMatch(/last=.*&n=1000/);
      expect(registry.requests.filter((r) => r.path.startsWith('/token'))).toHaveLength(1);
    });

    it('fetches the token with basic auth for a private repository', async () => {
      await expect(gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { sandbox, logger })).rejects.toMatchObject({
        message: 'the registry requires credentials for acme/secret; set a registry_basic credential on the job',
      });
      const result = await gatherOciTags(
        { registryUrl: registry.url, repository: 'acme/secret' },
        { sandbox, logger, credential: { type: 'registry_basic', ...registry.credentials } },
      );
      expect(result.releases.map((r) => r.tag)).toEqual(['3.1.0', '3.2.0']);
      await expect(
        gatherOciTags({ registryUrl: registry.url, repository: 'acme/secret' }, { sandbox, logger, credential: { type: 'registry_basic', username: 'robot$ci', password: 'nope' } }),
      ).rejects.toMatchObject({ message: 'the registry token service refused the credential (HTTP 401)', retryable: false });
    });

    it('fails clearly past the tag cap', async () => {
      await expect(
        gatherOciTags({ registryUrl: registry.url, repository: 'library/nginx' }, { sandbox, logger, limits: { maxTags: 1500, datedTags: 0 } }),
      ).rejects.toMatchObject({ message: 'library/nginx has more than 1500 tags; the agent stops listing there', retryable: false });
    });

    it('fails clearly when more tags pass the filter than a result may carry', async () => {
      await expect(
        gatherOciTags({ registryUrl: registry.url, repository: 'library/nginx' }, { sandbox, logger, limits: { maxReleases: 2000, datedTags: 0 } }),
      ).rejects.toMatchObject({ message: "library/nginx has 2345 tags, more than the 2000 one result may carry; narrow the job's tag filter", retryable: false });
    });
  });
});
