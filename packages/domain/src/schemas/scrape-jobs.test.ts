import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { PlanekeeperError } from '../errors.ts';
import { schemaProblems } from './parse.ts';
import {
  assertScrapeJobConsistent,
  scrapeJobCreateSchema,
  scrapeJobIssues,
  scrapeJobUpdateSchema,
  scrapeJobVersionSchema,
} from './scrape-jobs.ts';

const paths = (data: unknown, schema: z.ZodType = scrapeJobCreateSchema): string[] => schemaProblems(schema, data).map((p) => p.path);

const yq = {
  name: 'prod nginx',
  repoUrl: 'https://github.com/acme/deploy.git',
  ref: 'main',
  filePath: 'charts/nginx/values.yaml',
  parser: 'yq',
  expression: '.image.tag',
  schedule: '*/15 * * * *',
};

describe('scrapeJobCreateSchema', () => {
  it.each([
    ['yq over https', yq],
    ['jq over ssh URL', { ...yq, parser: 'jq', repoUrl: 'ssh://git@github.com/acme/deploy.git', filePath: 'package.json', expression: '.version' }],
    ['scp-like remote with credential', { ...yq, repoUrl: 'git@github.com:acme/deploy.git', credentialName: 'my-github-ssh' }],
    ['regex with a capture group', { ...yq, parser: 'regex', expression: 'version:\\s*([\\d.]+)' }],
    ['manual without repo fields', { name: 'manual one', parser: 'manual' }],
    ['manual with a history limit', { name: 'manual', parser: 'manual', historyLimit: 10 }],
    ['no ref (default branch)', { ...yq, ref: undefined }],
  ])('accepts %s', (_name, body) => {
    expect(paths(body)).toEqual([]);
  });

  it.each([
    ['non-manual without repo fields', { name: 'x', parser: 'yq' }, ['repoUrl', 'filePath', 'expression', 'schedule']],
    ['non-manual without schedule', { ...yq, schedule: undefined }, ['schedule']],
    ['regex that does not compile', { ...yq, parser: 'regex', expression: '([0-9' }, ['expression']],
    ['regex with a lookbehind', { ...yq, parser: 'regex', expression: '(?<=tag: )(\\S+)' }, ['expression']],
    ['regex without a capture group', { ...yq, parser: 'regex', expression: 'version: [0-9.]+' }, ['expression']],
    ['regex longer than 500 characters', { ...yq, parser: 'regex', expression: `(${'a'.repeat(500)})` }, ['expression']],
    ['absolute filePath', { ...yq, filePath: '/etc/passwd' }, ['filePath']],
    ['traversing filePath', { ...yq, filePath: 'charts/../../secret.yaml' }, ['filePath']],
    ['filePath that is ..', { ...yq, filePath: '..' }, ['filePath']],
    ['backslash filePath', { ...yq, filePath: '..\\secret' }, ['filePath']],
    ['file:// repo', { ...yq, repoUrl: 'file:///etc' }, ['repoUrl']],
    ['ext:: remote helper', { ...yq, repoUrl: 'ext::sh -c touch% /tmp/pwned' }, ['repoUrl']],
    ['option-like repo', { ...yq, repoUrl: '--upload-pack=evil' }, ['repoUrl']],
    ['ref with ..', { ...yq, ref: 'main..evil' }, ['ref']],
    ['ref starting with -', { ...yq, ref: '-x' }, ['ref']],
    ['unknown parser', { ...yq, parser: 'xpath' }, ['parser']],
    ['historyLimit 0', { ...yq, historyLimit: 0 }, ['historyLimit']],
    ['historyLimit not integer', { ...yq, historyLimit: 1.5 }, ['historyLimit']],
    ['bad cron', { ...yq, schedule: '60 * * * *' }, ['schedule']],
    ['unknown key', { ...yq, file: 'a' }, ['file']],
  ])('refuses %s', (_name, body, expected) => {
    expect(paths(body)).toEqual(expected);
  });

  it('explains what a non-manual job lacks', () => {
    expect(schemaProblems(scrapeJobCreateSchema, { name: 'x', parser: 'jq' })[0]?.message).toBe('repoUrl is required unless parser is manual');
  });

  it('does not trim a regex expression (spaces can matter)', () => {
    const job = scrapeJobCreateSchema.parse({ ...yq, parser: 'regex', expression: ' v(\\d+) ' });
    expect(job.expression).toBe(' v(\\d+) ');
  });
});

describe('scrapeJobUpdateSchema and the merged check', () => {
  it('accepts any subset', () => {
    expect(paths({ name: 'renamed' }, scrapeJobUpdateSchema)).toEqual([]);
    expect(paths({ ref: null, credentialName: null }, scrapeJobUpdateSchema)).toEqual([]);
  });

  it('checks a regex given together with parser regex', () => {
    expect(paths({ parser: 'regex', expression: 'no group' }, scrapeJobUpdateSchema)).toEqual(['expression']);
  });

  it('leaves completeness to the merged check', () => {
    expect(paths({ parser: 'yq' }, scrapeJobUpdateSchema)).toEqual([]);
    const merged = { parser: 'yq' as const, repoUrl: null, filePath: null, expression: null, schedule: null };
    expect(scrapeJobIssues(merged).map((i) => i.path[0])).toEqual(['repoUrl', 'filePath', 'expression', 'schedule']);
    expect(() => assertScrapeJobConsistent(merged)).toThrow(PlanekeeperError);
  });

  it('the merged check catches a stored yq expression that is not a regex', () => {
    expect(scrapeJobIssues({ parser: 'regex', repoUrl: 'r', filePath: 'f', expression: '.image.tag', schedule: '* * * * *' })).toEqual([
      { path: ['expression'], message: expect.stringMatching(/capture group/) },
    ]);
  });

  it('a manual job needs nothing else', () => {
    expect(() => assertScrapeJobConsistent({ parser: 'manual' })).not.toThrow();
  });
});

describe('scrapeJobVersionSchema', () => {
  it.each([[{ version: 'v1.2.0' }, []], [{ version: '  16.2-alpine ' }, []], [{ version: '' }, ['version']], [{}, ['version']], [{ version: 'v1', extra: 1 }, ['extra']]])(
    '%j -> %j',
    (body, expected) => {
      expect(paths(body, scrapeJobVersionSchema)).toEqual(expected);
    },
  );
});
