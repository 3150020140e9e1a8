import { describe, expect, it } from '@jest/globals';
import { resolveDeployedImage } from './deployed-image.ts';

const digest = `sha256:${'a'.repeat(64)}`;
const other = `sha256:${'b'.repeat(64)}`;

describe('resolveDeployedImage', () => {
  it('takes a tagged image at its tag, whatever its digest', () => {
    expect(resolveDeployedImage({ version: '1.25.3', imageDigest: digest }, [])).toEqual({ version: '1.25.3', note: null });
    expect(resolveDeployedImage({ version: '1.25.3', imageDigest: null }, [])).toEqual({ version: '1.25.3', note: null });
  });

  it('places an image pinned by digest only at the highest version among the tags with that digest', () => {
    const releases = [
      { tag: 'latest', digest },
      { tag: '1.25', digest },
      { tag: '1.25.3', digest },
      { tag: '1.27.0', digest: other },
      { tag: '1.24.0', digest: null },
    ];
    expect(resolveDeployedImage({ version: digest, imageDigest: digest }, releases)).toEqual({ version: '1.25.3', note: `deployed image ${digest} is tag 1.25.3` });
  });

  it('is unknown, saying why, when no gathered tag has the digest', () => {
    const none = resolveDeployedImage({ version: digest, imageDigest: digest }, [{ tag: '1.0.0' }]);
    expect(none).toEqual({ unknown: expect.stringContaining('knows no tag digests') });
    const missing = resolveDeployedImage({ version: digest, imageDigest: digest }, [{ tag: '1.27.0', digest: other }]);
    expect(missing).toEqual({ unknown: expect.stringContaining('none of the 1 tags whose digest the gather job read has it') });
    const unversioned = resolveDeployedImage({ version: digest, imageDigest: digest }, [{ tag: 'latest', digest }]);
    expect(unversioned).toEqual({ unknown: expect.stringContaining('only tags without a version carry (latest)') });
  });
});
