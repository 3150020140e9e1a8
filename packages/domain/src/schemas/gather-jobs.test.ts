import { describe, expect, it } from '@jest/globals';
import { PlanekeeperError } from '../errors.ts';
import { gatherJobCreateSchema, gatherJobUpdateSchema, gatherSourceSchemaFor, parseGatherSource } from './gather-jobs.ts';
import { schemaProblems as problems } from './parse.ts';

const problemPaths = (schema: Parameters<typeof problems>[0], data: unknown): string[] => problems(schema, data).map((p) => p.path);

const github = { name: 'kubernetes', sourceType: 'github_release', source: { owner: 'kubernetes', repo: 'kubernetes' }, schedule: '0 */6 * * *' };

describe('gatherJobCreateSchema', () => {
  it.each([
    ['github_release', github],
    ['github_release on GHE with filter and credential', {
      ...github,
      source: { owner: 'org', repo: 'app', baseUrl: 'https://ghe.example.com/api/v3' },
      tagFilter: '^v\\d+\\.\\d+\\.\\d+$',
      credentialName: 'ghe-token',
      enabled: false,
    }],
    ['helm_repo', { name: 'nginx chart', sourceType: 'helm_repo', source: { repoUrl: 'https://charts.bitnami.com/bitnami', chart: 'nginx' }, schedule: '0 0 * * *' }],
    ['oci_registry with seconds cron', { name: 'redis', sourceType: 'oci_registry', source: { registryUrl: 'https://registry-1.docker.io', repository: 'library/redis' }, schedule: '*/30 * * * * *' }],
  ])('accepts %s', (_name, body) => {
    expect(problems(gatherJobCreateSchema, body)).toEqual([]);
  });

  it('trims the name and the schedule', () => {
    const job = gatherJobCreateSchema.parse({ ...github, name: '  k8s  ', schedule: ' 0 */6 * * * ' });
    expect(job.name).toBe('k8s');
    expect(job.schedule).toBe('0 */6 * * *');
  });

  it('types source by sourceType', () => {
    const job = gatherJobCreateSchema.parse(github);
    if (job.sourceType !== 'github_release') throw new Error('expected github_release');
    expect(job.source.owner).toBe('kubernetes');
  });

  it.each([
    ['missing name', { ...github, name: undefined }, ['name']],
    ['blank name', { ...github, name: '   ' }, ['name']],
    ['name too long', { ...github, name: 'x'.repeat(201) }, ['name']],
    ['unknown sourceType', { ...github, sourceType: 'gitlab' }, ['sourceType']],
    ['source of another type', { ...github, source: { repoUrl: 'https://x.example', chart: 'a' } }, ['source.owner', 'source.repo', 'source.repoUrl', 'source.chart']],
    ['baseUrl not http(s)', { ...github, source: { owner: 'a', repo: 'b', baseUrl: 'ftp://ghe.example.com' } }, ['source.baseUrl']],
    ['bad cron', { ...github, schedule: '* * *' }, ['schedule']],
    ['bad tag filter', { ...github, tagFilter: '([a-z' }, ['tagFilter']],
    ['tag filter with a lookahead', { ...github, tagFilter: '^(?!sha-)' }, ['tagFilter']],
    ['unknown top-level key', { ...github, schedul: '* * * * *' }, ['schedul']],
    ['wrong type of enabled', { ...github, enabled: 'yes' }, ['enabled']],
    ['oci repository with upper case', { name: 'x', sourceType: 'oci_registry', source: { registryUrl: 'https://ghcr.io', repository: 'Org/App' }, schedule: '0 * * * *' }, ['source.repository']],
  ])('refuses %s', (_name, body, paths) => {
    expect(problemPaths(gatherJobCreateSchema, body)).toEqual(paths);
  });

  it('names the field in a cron error', () => {
    expect(problems(gatherJobCreateSchema, { ...github, schedule: '@daily' })[0]?.message).toMatch(/^schedule must have 5 fields/);
  });

  it('caps the tag filter length, saying so once', () => {
    expect(problems(gatherJobCreateSchema, { ...github, tagFilter: 'a'.repeat(501) }).map((issue) => issue.message)).toEqual(['tagFilter must be at most 500 characters']);
  });

  it('refuses a tag filter the linear-time engine cannot run, saying what RE2 lacks', () => {
    expect(problems(gatherJobCreateSchema, { ...github, tagFilter: '^v(\\d+)\\.\\1' }).map((issue) => issue.message)).toEqual([
      'tagFilter uses a backreference (\\1), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences',
    ]);
    expect(problems(gatherJobUpdateSchema, { tagFilter: '(?<=v)1' })[0]?.message).toMatch(/^tagFilter uses a lookbehind/);
  });
});

describe('gatherJobUpdateSchema', () => {
  it.each([
    ['empty', {}],
    ['rename', { name: 'new' }],
    ['source alone (checked later against the stored type)', { source: { repoUrl: 'https://charts.example', chart: 'x' } }],
    ['sourceType with a matching source', { sourceType: 'oci_registry', source: { registryUrl: 'https://ghcr.io', repository: 'org/app' } }],
    ['clearing the tag filter', { tagFilter: null, credentialName: null }],
  ])('accepts %s', (_name, body) => {
    expect(problems(gatherJobUpdateSchema, body)).toEqual([]);
  });

  it.each([
    ['sourceType without source', { sourceType: 'helm_repo' }, ['source']],
    ['sourceType with a source of another type', { sourceType: 'helm_repo', source: { owner: 'a', repo: 'b' } }, ['source.repoUrl', 'source.chart', 'source.owner', 'source.repo']],
    ['source that fits no type', { source: { foo: 1 } }, ['source']],
    ['bad schedule', { schedule: 'every day' }, ['schedule']],
    ['unknown key', { nmae: 'x' }, ['nmae']],
  ])('refuses %s', (_name, body, paths) => {
    expect(problemPaths(gatherJobUpdateSchema, body)).toEqual(paths);
  });
});

describe('parseGatherSource', () => {
  it('returns the source typed for the stored type', () => {
    expect(parseGatherSource('helm_repo', { repoUrl: 'https://charts.example', chart: 'x' })).toEqual({ repoUrl: 'https://charts.example', chart: 'x' });
  });

  it('throws validation_failed naming source fields when the source belongs to another type', () => {
    try {
      parseGatherSource('github_release', { repoUrl: 'https://charts.example', chart: 'x' });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(PlanekeeperError);
      const e = error as PlanekeeperError;
      expect(e.code).toBe('validation_failed');
      expect(e.details.map((d) => d.path)).toEqual(['source.owner', 'source.repo', 'source.repoUrl', 'source.chart']);
      expect(e.details[2]?.message).toBe('is not a field of a github_release source');
    }
  });

  it('gatherSourceSchemaFor picks the schema of the type', () => {
    expect(gatherSourceSchemaFor('oci_registry').safeParse({ registryUrl: 'https://ghcr.io', repository: 'a/b' }).success).toBe(true);
  });
});
