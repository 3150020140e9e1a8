import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { parseOrThrow, schemaProblems } from '../schemas/parse.ts';
import { evaluationExplanationSchema } from '../schemas/evaluation-explanation.ts';
import { VERSION_PREVIEW_MAX_TAGS, versionPreviewRequestSchema, versionPreviewResponseSchema } from '../schemas/version-preview.ts';
import { evaluateRule } from './evaluate-rule.ts';
import type { EvaluationExplanation } from './explanation.ts';
import { previewVersions } from './version-preview.ts';

const NOW = new Date('2026-03-01T12:00:00Z');

// The rules' explanation type and the API's schema describe the same JSON.
const explanationIsSchemaOutput: z.output<typeof evaluationExplanationSchema> = {} as EvaluationExplanation;
const schemaOutputIsExplanation: EvaluationExplanation = {} as z.output<typeof evaluationExplanationSchema>;
void [explanationIsSchemaOutput, schemaOutputIsExplanation];

function preview(body: unknown) {
  const result = previewVersions(parseOrThrow(versionPreviewRequestSchema, body), NOW);
  // Every answer is what the response schema says, with nothing it does not name.
  expect(versionPreviewResponseSchema.parse(result)).toEqual(result);
  return result;
}

describe('versionPreviewRequestSchema', () => {
  it.each<[string, unknown, { path: string; message: string }[]]>([
    ['tags missing', { deployed: '1.2.0' }, [{ path: 'tags', message: 'tags is required' }]],
    ['tags not an array', { tags: 'v1.2.0' }, [{ path: 'tags', message: 'tags must be an array' }]],
    ['a tag that is a number', { tags: ['v1.2.0', 7] }, [{ path: 'tags.1', message: 'each tag must be a string or an object { tag, publishedAt?, prerelease? }' }]],
    ['an empty tag', { tags: [' '] }, [{ path: 'tags.0', message: 'tag must not be empty' }]],
    ['an empty tag in an object', { tags: [{ tag: '' }] }, [{ path: 'tags.0.tag', message: 'tag must not be empty' }]],
    ['a tag too long', { tags: ['1'.repeat(300)] }, [{ path: 'tags.0', message: 'tag must be at most 256 characters' }]],
    ['a bad publishedAt', { tags: [{ tag: 'v1.2.0', publishedAt: 'yesterday' }] }, [{ path: 'tags.0.publishedAt', message: 'must be an ISO 8601 timestamp' }]],
    ['too many tags', { tags: Array.from({ length: VERSION_PREVIEW_MAX_TAGS + 1 }, (_, i) => `1.${i}.0`) }, [{ path: 'tags', message: `tags must list at most ${VERSION_PREVIEW_MAX_TAGS} tags` }]],
    ['a deployed version too long', { tags: [], deployed: `1.2.${'9'.repeat(300)}` }, [{ path: 'deployed', message: 'deployed must be at most 256 characters' }]],
    ['stableOnly not a boolean', { tags: [], stableOnly: 'yes' }, [{ path: 'stableOnly', message: 'stableOnly must be true or false' }]],
    ['an unknown key', { tags: [], tagFilter: '^v' }, [{ path: 'tagFilter', message: 'is not a known field' }]],
  ])('refuses %s', (_name, body, expected) => {
    expect(schemaProblems(versionPreviewRequestSchema, body)).toEqual(expected);
  });

  it('accepts strings and objects, and defaults stableOnly to true', () => {
    expect(parseOrThrow(versionPreviewRequestSchema, { tags: [' v1.2.0 ', { tag: '1.3.0', publishedAt: '2026-01-01T00:00:00Z', prerelease: true }] })).toEqual({
      tags: ['v1.2.0', { tag: '1.3.0', publishedAt: '2026-01-01T00:00:00Z', prerelease: true }],
      stableOnly: true,
    });
  });
});

describe('previewVersions: how each tag parses', () => {
  it('answers family, version, variant, prerelease, build, floating, or why not, in the order given', () => {
    const result = preview({
      tags: ['controller-v1.10.1', 'v3.1', 'v3.1.2', '17.0', '17.0-20240924', '21.0.3_9-jdk-jammy', '11.7.1-noble-rc', 'jdk-21+35', '20-alpine', 'jammy-20240911.1', 'latest'],
    });
    expect(result.tags).toEqual([
      { tag: 'controller-v1.10.1', parses: true, prefix: 'controller-v', family: 'controller-', version: '1.10.1', parts: 3, prerelease: null, isPrerelease: false, variant: '', build: null, floating: null },
      { tag: 'v3.1', parses: true, prefix: 'v', family: '', version: '3.1.0', parts: 2, prerelease: null, isPrerelease: false, variant: '', build: null, floating: 'line_alias' },
      expect.objectContaining({ tag: 'v3.1.2', version: '3.1.2', floating: null }),
      expect.objectContaining({ tag: '17.0', version: '17.0.0', build: null, floating: 'build_alias' }),
      expect.objectContaining({ tag: '17.0-20240924', version: '17.0.0+20240924', variant: '', build: '20240924', floating: null }),
      expect.objectContaining({ tag: '21.0.3_9-jdk-jammy', version: '21.0.3-jdk-jammy+9', variant: 'jdk-jammy', build: '9' }),
      expect.objectContaining({ tag: '11.7.1-noble-rc', prerelease: 'rc', isPrerelease: true, variant: 'noble' }),
      expect.objectContaining({ tag: 'jdk-21+35', family: 'jdk-', version: '21.0.0+35', parts: 1 }),
      { tag: '20-alpine', parses: false, reason: 'major_only', message: expect.stringContaining('floating'), floating: 'major_only' },
      { tag: 'jammy-20240911.1', parses: false, reason: 'date_like_major', message: expect.stringContaining('date'), floating: null },
      { tag: 'latest', parses: false, reason: 'no_version', message: expect.any(String), floating: null },
    ]);
    expect(result.summary).toEqual({
      total: 11,
      parsed: 8,
      unparseable: 3,
      floating: 3,
      families: [
        { family: '', count: 6 },
        { family: 'controller-', count: 1 },
        { family: 'jdk-', count: 1 },
      ],
    });
    expect(result.deployed).toBeNull();
  });

  it('a two-part tag with a publish date before its x.y.z tags is a release', () => {
    const result = preview({ tags: [{ tag: '2.555', publishedAt: '2026-01-01T00:00:00Z' }, '2.555.1'] });
    expect(result.tags.map((tag) => [tag.tag, tag.floating])).toEqual([
      ['2.555', null],
      ['2.555.1', null],
    ]);
  });
});

describe('previewVersions: with a deployed version', () => {
  const TRAEFIK = ['v3.0.4', 'v3.1', 'v3.1.0', 'v3.1.2', 'v3.2', 'v3.2.0', 'v3.3.0-rc.1', 'helm-chart-30.0.0'];

  it('answers the latest and the three behind-by values; days need a publish date', () => {
    const result = preview({ tags: TRAEFIK, deployed: 'v3.1' });
    expect(result.deployed).toEqual({
      input: 'v3.1',
      parse: expect.objectContaining({ parses: true, version: '3.1.0', parts: 2 }),
      status: 'ok',
      reason: null,
      latest: 'v3.2.0',
      majorsBehind: 0,
      minorsBehind: 1,
      daysBehind: null,
      days: expect.stringContaining('not counted: no tag carrying the deployed release (v3.1.2) has a publishedAt here'),
      notes: ['deployed version v3.1 is a moving alias of line 3.1; taken as v3.1.2, the highest release of that line that stable only allows'],
      explanation: {
        family: '',
        familyChosenBy: 'deployed',
        variant: '',
        stableOnly: true,
        deployed: { tag: 'v3.1.2', version: '3.1.2', resolvedAs: 'line_alias', carriedBy: ['v3.1.2'] },
        latest: { tag: 'v3.2.0', version: '3.2.0' },
        counted: 4,
        skipped: [
          { reason: 'other_family', count: 1, sample: ['helm-chart-30.0.0'] },
          { reason: 'line_alias', count: 2, sample: ['v3.2', 'v3.1'] },
          { reason: 'prerelease', count: 1, sample: ['v3.3.0-rc.1'] },
        ],
        countedFrom: null,
      },
    });
  });

  it('counts days from a publishedAt given, the earliest of the tags carrying the release', () => {
    const result = preview({
      tags: [{ tag: 'v3.0.2', publishedAt: '2025-12-01T00:00:00Z' }, { tag: '3.0.2', publishedAt: '2025-11-01T00:00:00Z' }, 'v3.1.0'],
      deployed: '3.0.2',
      stableOnly: false,
    });
    expect(result.deployed).toMatchObject({
      status: 'ok',
      latest: 'v3.1.0',
      minorsBehind: 1,
      daysBehind: 120,
      days: 'counted from the publishedAt of 3.0.2 (2025-11-01T00:00:00.000Z)',
      notes: ["tags 3.0.2, v3.0.2 carry the deployed release; days count from the earliest of their dates (3.0.2's)"],
      explanation: { stableOnly: false, countedFrom: { source: 'published', tag: '3.0.2', at: '2025-11-01T00:00:00.000Z' } },
    });
  });

  it('up to date: 0 days without any date', () => {
    expect(preview({ tags: ['1.2.0', '1.1.0'], deployed: '1.2.0' }).deployed).toMatchObject({ status: 'ok', daysBehind: 0, majorsBehind: 0, minorsBehind: 0 });
  });

  it.each([
    ['latest', 'deployed version "latest" does not parse: no version found', false],
    ['v9.9.9', 'deployed version v9.9.9 is not among the 5 gathered releases of variant "", and is newer than all of them', true],
  ])('a deployed %j that gives no answer says why', (deployed, reason, parses) => {
    expect(preview({ tags: TRAEFIK, deployed }).deployed).toMatchObject({
      input: deployed,
      parse: { parses },
      status: 'unknown',
      reason: expect.stringContaining(reason),
      majorsBehind: null,
      minorsBehind: null,
      daysBehind: null,
    });
  });
});

describe('evaluationExplanationSchema', () => {
  it('describes what evaluateRule stores', () => {
    const evaluation = evaluateRule({
      rule: { type: 'days_behind', moderate: 1, high: 2, critical: 3, stableOnly: true },
      deployedVersion: '17.0',
      releases: ['17.0', '17.0-20240522', '17.0-20240924', '18.0-20241001', 'latest'].map((tag) => ({ tag, publishedAt: null, firstSeenAt: NOW, prerelease: false })),
      now: NOW,
    });
    expect(evaluationExplanationSchema.parse(evaluation.explanation)).toEqual(evaluation.explanation);
    expect(JSON.parse(JSON.stringify(evaluation.explanation))).toEqual(evaluation.explanation);
  });
});
