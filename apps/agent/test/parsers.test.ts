import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createExpressionSandbox } from '../src/sandbox/sandbox.ts';
import { evaluateRegex, filterTags } from '../src/scrape/parsers/regex.ts';
import { TaskError } from '../src/task-error.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const BILLION_LAUGHS = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe('YQ and JQ parsers in the expression sandbox', () => {
  const sandbox = createExpressionSandbox({ timeoutMs: 1500 });
  afterAll(() => sandbox.close());

  it.each([
    ['yq', 'Chart.yaml', '.version', '1.29.3'],
    ['yq', 'Chart.yaml', '.dependencies[0].version', '15.5.20'],
    ['yq', 'Chart.yaml', '.appVersion', '4.2.0'],
    ['yq', 'values.yaml', 'select(.image) | .image.tag', '1.10'],
    ['yq', 'values.yaml', 'select(.worker) | .worker.image.tag', 'v2.3.1'],
    ['yq', 'kustomization.yaml', '.images[0].newTag', '4.2.0-hotfix.2'],
    ['yq', 'kustomization.yaml', '.images[] | select(.name == "nginx") | .newTag', '1.27.1-alpine'],
    ['jq', 'package.json', '.dependencies.react', '^18.3.1'],
    ['jq', 'package.json', '.dependencies.next', '14.2.5'],
  ] as const)('%s on %s: %s = %s', async (parser, file, expression, version) => {
    const extracted = await sandbox.extractVersion(parser, fixture(file), expression);
    expect(extracted.version).toBe(version);
  });

  it('keeps the matched text as raw', async () => {
    expect(await sandbox.extractVersion('jq', '{"replicas": 3}', '.replicas')).toEqual({ version: '3', raw: '3' });
  });

  const failures: [string, 'yq' | 'jq', string, string, RegExp][] = [
    ['an expression that does not compile', 'jq', fixture('package.json'), '.dependencies |||', /^expression does not compile: syntax error/],
    ['an expression that never returns', 'jq', fixture('package.json'), 'def f: f; f', /^jq expression did not finish within 1.5 s and was stopped$/],
    ['a YAML alias bomb (billion laughs)', 'yq', BILLION_LAUGHS, '.i[0][0][0][0][0][0][0][0][0]', /^YAML expands to more than 1000000 values once aliases are followed/],
    ['an object result', 'yq', fixture('Chart.yaml'), '.dependencies[0]', /^expression returned an object; select a single value$/],
    ['an array result', 'yq', fixture('Chart.yaml'), '.maintainers', /^expression returned an array; select a single value$/],
    ['a missing path', 'yq', fixture('Chart.yaml'), '.image.tag', /^expression returned null: the path is not in the file$/],
    ['several values', 'yq', fixture('values.yaml'), '.image.tag', /^expression returned 2 values; select a single value$/],
    ['a boolean', 'yq', fixture('values.yaml'), 'select(.extra) | .extra', /^expression returned a boolean/],
    ['invalid YAML', 'yq', 'image:\n  tag: [1.2\n', '.image.tag', /^file is not valid YAML: .* at line \d+, column \d+$/],
    ['invalid JSON', 'jq', '{"dependencies": ', '.dependencies', /^file is not valid JSON/],
  ];

  it.each(failures)('fails clearly on %s, and the sandbox still works afterwards', async (_name, parser, text, expression, message) => {
    const error = await sandbox.extractVersion(parser, text, expression).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).message).toMatch(message);
    expect((error as TaskError).retryable).toBe(false);
    await expect(sandbox.extractVersion('yq', fixture('Chart.yaml'), '.version')).resolves.toEqual({ version: '1.29.3', raw: '1.29.3' });
  });

  it('replaces a stopped worker only: a timeout costs one new worker, other failures none', async () => {
    const before = sandbox.stats().workersStarted;
    await sandbox.extractVersion('jq', '{}', '.a |||').catch(() => undefined);
    expect(sandbox.stats().workersStarted).toBe(before);
    await sandbox.extractVersion('jq', '{}', 'def f: f; f').catch(() => undefined);
    await sandbox.extractVersion('jq', '{"v":"1.0.0"}', '.v');
    expect(sandbox.stats().workersStarted).toBe(before + 1);
  });

  it('refuses a file over the input size limit before parsing it', async () => {
    const huge = `version: 1.0.0\npadding: "${'x'.repeat(1024 * 1024)}"\n`;
    await expect(sandbox.extractVersion('yq', huge, '.version')).rejects.toMatchObject({
      message: `file is ${Buffer.byteLength(huge)} bytes; files read by a yq expression may be at most 1048576 bytes`,
      retryable: false,
    });
  });

  it('answers 1,000 evaluations in a row on the warm worker correctly (jq-wasm 1.0.1 broke after ~300)', async () => {
    const workers = sandbox.stats().workersStarted;
    for (let i = 0; i < 1000; i++) {
      const parser = i % 2 === 0 ? 'jq' : 'yq';
      const text = parser === 'jq' ? JSON.stringify({ image: { tag: `1.${i}.0` } }) : `image:\n  tag: 1.${i}.0\n`;
      const { version } = await sandbox.extractVersion(parser, text, '.image.tag');
      if (version !== `1.${i}.0`) throw new Error(`evaluation ${i} answered ${version}`);
    }
    expect(sandbox.stats().workersStarted).toBe(workers);
  });
});

describe('the regex parser and tag filters (linear-time engine, on the main thread)', () => {
  it.each([
    ['FROM nginx:(\\S+)', { version: '1.27.1-alpine', raw: 'FROM nginx:1.27.1-alpine' }],
    ['^ARG NODE_VERSION=(\\S+)$', { version: '20.15.1', raw: 'ARG NODE_VERSION=20.15.1' }],
    ['(?i)from NGINX:(?P<tag>[\\w.-]+)', { version: '1.27.1-alpine', raw: 'FROM nginx:1.27.1-alpine' }],
  ])('reads the first capture group of %s from a Dockerfile', (expression, extracted) => {
    expect(evaluateRegex(fixture('Dockerfile'), expression)).toEqual(extracted);
  });

  it.each<[string, string, string, RegExp]>([
    ['a regex that does not compile', fixture('Dockerfile'), 'FROM (nginx', /^regex expression is not a valid RE2 regular expression: missing closing \)/],
    ['a lookahead', fixture('Dockerfile'), 'FROM (?!node)(\\S+)', /^regex expression uses a lookahead \(\(\?!\.\.\.\), which is not supported: patterns use RE2 syntax/],
    ['a backreference', fixture('Dockerfile'), '(\\d)\\.\\1', /^regex expression uses a backreference \(\\1\)/],
    ['a regex without a capture group', fixture('Dockerfile'), 'FROM nginx', /^regex expression has no capture group/],
    ['a regex that does not match', fixture('Dockerfile'), 'FROM redis:(\\S+)', /^regex did not match the file$/],
    ['a group that took no part', 'tag: edge', 'version: (\\S+)|tag: edge', /^the regex matched but its first capture group did not take part in the match$/],
    ['an empty capture', 'version: \n', 'version: *(\\S*)', /^expression returned an empty string$/],
  ])('fails clearly on %s, for good', (_name, text, expression, message) => {
    let caught: unknown;
    try {
      evaluateRegex(text, expression);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TaskError);
    expect((caught as TaskError).message).toMatch(message);
    expect((caught as TaskError).retryable).toBe(false);
  });

  it('answers a catastrophic regex over a hostile file at once: no match, no hang', () => {
    // With JavaScript's RegExp this backtracked until the sandbox killed it.
    expect(() => evaluateRegex(`${'a'.repeat(200_000)}!`, '^(a+)+$')).toThrow('regex did not match the file');
    expect(evaluateRegex(`${'a'.repeat(200_000)}!\nversion: 1.2.3\n`, '^(?:a+)+$|version: (\\S+)')).toEqual({ version: '1.2.3', raw: 'version: 1.2.3' });
  });

  it('filters tags with a gather job tag filter, unanchored, catastrophic ones included', () => {
    expect(filterTags('^v1\\.', ['v1.2.0', 'v2.0.0', 'v1.3.0-rc.1'])).toEqual(['v1.2.0', 'v1.3.0-rc.1']);
    expect(filterTags('alpine', ['16.2-alpine', '16.2-bookworm'])).toEqual(['16.2-alpine']);
    expect(filterTags('^(a+)+$', ['a'.repeat(40_000) + '!', 'aaaa'])).toEqual(['aaaa']);
    expect(() => filterTags('^(?<!sha-)v', ['v1'], 'tag filter')).toThrow(/^tag filter uses a lookbehind \(\(\?<!\.\.\.\)/);
  });
});

describe('the expression sandbox worker', () => {
  it("counts an expression's time limit from when its worker has loaded, not from the worker's start", async () => {
    // Loading a worker and jq-wasm takes ~65 ms on a quiet machine, seconds on a busy one: with
    // the limit counted from the start, the first expression of a fresh worker timed out there.
    const sandbox = createExpressionSandbox({ timeoutMs: 250 });
    try {
      await expect(sandbox.extractVersion('yq', 'v: 2.0.0', '.v')).resolves.toMatchObject({ version: '2.0.0' });
      await expect(sandbox.extractVersion('jq', '{}', 'def f: f; f')).rejects.toMatchObject({ message: 'jq expression did not finish within 0.25 s and was stopped' });
      await expect(sandbox.extractVersion('jq', '{"v":"3.0.0"}', '.v')).resolves.toMatchObject({ version: '3.0.0' });
      expect(sandbox.stats().workersStarted).toBe(2);
    } finally {
      await sandbox.close();
    }
  });
  it('starts at the first evaluation, stays warm while used, and is let go when idle', async () => {
    const sandbox = createExpressionSandbox({ idleMs: 300 });
    try {
      expect(sandbox.stats().workersStarted).toBe(0);
      await expect(sandbox.extractVersion('jq', '{"v":"1.0.0"}', '.v')).resolves.toMatchObject({ version: '1.0.0' });
      await expect(sandbox.extractVersion('yq', 'v: 2.0.0', '.v')).resolves.toMatchObject({ version: '2.0.0' });
      expect(sandbox.stats().workersStarted).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 600));
      await expect(sandbox.extractVersion('jq', '{"v":"3.0.0"}', '.v')).resolves.toMatchObject({ version: '3.0.0' });
      expect(sandbox.stats().workersStarted).toBe(2);
    } finally {
      await sandbox.close();
    }
  });
});
