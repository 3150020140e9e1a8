import { describe, expect, it } from '@jest/globals';
import { compileUserRegex, USER_REGEX_MAX_LENGTH, type UserRegex } from './user-regex.ts';

const compiled = (pattern: string, options?: Parameters<typeof compileUserRegex>[1]): UserRegex => {
  const result = compileUserRegex(pattern, options);
  if (!result.ok) throw new Error(`${pattern}: ${result.error}`);
  return result.regex;
};
const refusal = (pattern: string, options?: Parameters<typeof compileUserRegex>[1]): string => {
  const result = compileUserRegex(pattern, options);
  if (result.ok) throw new Error(`${pattern} compiled`);
  return result.error;
};

const TAGS = [
  'v1.29.3', '1.29.3', 'v1.30.0-rc.1', 'controller-v1.10.1', 'helm-chart-4.10.1', '16.2-alpine', '16.2-bookworm',
  '21.0.3_9-jdk-jammy', '17.0.11_9-jre-alpine', 'sha-abc1234', 'main-0f3e2d1', 'latest', '2024.01.15', '17.0-20240522',
  '8.4.0alpha1', 'V2.0.0', 'api/v1.8.0', 'jdk-21+35', '', 'ünïcode-1.0',
];

describe('compileUserRegex', () => {
  it.each([
    '^v\\d+\\.\\d+\\.\\d+$',
    '^\\d+\\.\\d+-alpine$',
    '^controller-v',
    '^[0-9]+\\.[0-9]+\\.[0-9]+_[0-9]+-jdk-jammy$',
    '-(alpine|bookworm)$',
    '^(v)?[0-9]+(\\.[0-9]+){2}(-rc\\.[0-9]+)?$',
    'alpha|beta|rc',
    '^sha-[0-9a-f]{7}$',
    '\\bjdk\\b',
    '^[^-]+$',
    '',
  ])('keeps the tags JavaScript keeps for %s (unanchored test)', (pattern) => {
    const regex = compiled(pattern);
    const builtin = new RegExp(pattern);
    expect(TAGS.filter((tag) => regex.test(tag))).toEqual(TAGS.filter((tag) => builtin.test(tag)));
  });

  it('answers a catastrophic pattern at once instead of backtracking for ever', () => {
    // JavaScript's RegExp takes longer than the age of the universe on this input.
    const regex = compiled('^(a+)+$');
    expect(regex.test(`${'a'.repeat(100_000)}!`)).toBe(false);
    expect(regex.test('a'.repeat(100_000))).toBe(true);
    expect(compiled('(x+x+)+y').test('x'.repeat(50_000))).toBe(false);
    expect(compiled('^(\\w+\\s?)*$').firstCapture(`${'word '.repeat(20_000)}!`)).toBeNull();
  });

  it('gives the first match and its first capture group', () => {
    const dockerfile = '# build\nARG NODE_VERSION=20.15.1\nFROM node:${NODE_VERSION}\nFROM nginx:1.27.1-alpine\n';
    expect(compiled('FROM nginx:(\\S+)').firstCapture(dockerfile)).toEqual({ match: 'FROM nginx:1.27.1-alpine', capture: '1.27.1-alpine' });
    expect(compiled('^ARG NODE_VERSION=(\\S+)$', { multiline: true }).firstCapture(dockerfile)).toEqual({
      match: 'ARG NODE_VERSION=20.15.1',
      capture: '20.15.1',
    });
    expect(compiled('(?P<version>\\d+\\.\\d+\\.\\d+)').firstCapture('image: app:3.4.5 and 6.7.8')).toEqual({ match: '3.4.5', capture: '3.4.5' });
    expect(compiled('version: (\\d+)|tag: (\\S+)').firstCapture('tag: edge')).toEqual({ match: 'tag: edge', capture: undefined });
    expect(compiled('version').firstCapture('version: 1')).toEqual({ match: 'version', capture: undefined });
    expect(compiled('FROM redis:(\\S+)').firstCapture(dockerfile)).toBeNull();
  });

  it('anchors ^ and $ at line ends only in multi-line mode, as (?m) does', () => {
    const text = 'a: 1\nversion: 2.0.0\n';
    expect(compiled('^version: (\\S+)$').firstCapture(text)).toBeNull();
    expect(compiled('^version: (\\S+)$', { multiline: true }).firstCapture(text)?.capture).toBe('2.0.0');
    expect(compiled('(?m)^version: (\\S+)$').firstCapture(text)?.capture).toBe('2.0.0');
  });

  it('supports inline flags', () => {
    expect(compiled('(?i)-ALPINE$').test('16.2-alpine')).toBe(true);
    expect(compiled('-ALPINE$').test('16.2-alpine')).toBe(false);
    expect(compiled('(?s)a.b').test('a\nb')).toBe(true);
  });

  it('counts capture groups, named ones included', () => {
    expect(compiled('v(\\d+)\\.(?:\\d+)\\.(?<patch>\\d+)').captureGroups).toBe(2);
    expect(compiled('^v').captureGroups).toBe(0);
  });

  it.each([
    ['(\\d+)\\.\\1', 'uses a backreference (\\1), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences'],
    ['(?<v>\\d)\\k<v>', 'uses a named backreference (\\k<...>), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences'],
    ['^(?!sha-)', 'uses a lookahead ((?!...), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences'],
    ['^v(?=\\d)', 'uses a lookahead ((?=...), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences'],
    ['(?<=v)\\d+', 'uses a lookbehind ((?<=...), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences'],
    ['(?<!rc)\\d$', 'uses a lookbehind ((?<!...), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences'],
    ['(?>a+)b', 'uses an atomic group ((?>...)), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences'],
    ['\\u00e9', 'uses a \\u escape, which is not supported: write \\x{263a} for a code point (RE2 syntax)'],
    ['alpine\\Z', 'uses \\Z, which is not supported: write \\z or $ for the end of the text (RE2 syntax)'],
    ['([a-z', 'is not a valid RE2 regular expression: missing closing ]: `[a-z`'],
    ['(v1', 'is not a valid RE2 regular expression: missing closing ): `(v1`'],
    ['a**', 'is not a valid RE2 regular expression: invalid nested repetition operator: `**`'],
    ['a{1001}', 'is not a valid RE2 regular expression: invalid repeat count: `{1001}`'],
  ])('refuses %s, saying why', (pattern, error) => {
    expect(refusal(pattern)).toBe(error);
  });

  it('does not mistake escaped or bracketed look-alikes for lookaround', () => {
    expect(compiled('\\(?=').test('(=')).toBe(true);
    expect(compiled('[(?=]+x').test('?=x')).toBe(true);
    expect(compiled('[]\\d]').test(']')).toBe(true);
    // `]` first in a class is a literal, so `[]` is an unclosed class: RE2's own message.
    expect(refusal('[]')).toMatch(/^is not a valid RE2 regular expression: missing closing \]/);
  });

  it('refuses a pattern longer than the limit, and a program too large to run in bounded time', () => {
    expect(refusal('a'.repeat(USER_REGEX_MAX_LENGTH + 1))).toBe(`is ${USER_REGEX_MAX_LENGTH + 1} characters long; at most ${USER_REGEX_MAX_LENGTH} are allowed`);
    expect(refusal('^v\\d+$', { maxLength: 5 })).toBe('is 6 characters long; at most 5 are allowed');
    expect(compileUserRegex('x{1000}').ok).toBe(true);
    expect(compileUserRegex('x{1,1000}').ok).toBe(true);
    expect(refusal('.{1000}.{1000}.{1000}')).toMatch(/^is too large for the linear-time engine \(3\d{3} instructions once compiled, at most 2500\)/);
  });
});
