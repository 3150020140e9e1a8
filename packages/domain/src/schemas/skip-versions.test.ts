import { describe, expect, it } from '@jest/globals';
import { alertConfigCreateSchema } from './alert-configs.ts';
import { schemaProblems } from './parse.ts';
import { ruleCreateSchema } from './rules.ts';

const UUID = '00000000-0000-4000-8000-000000000001';
const config = { name: 'api', gatherJobId: UUID, scrapeJobId: UUID, ruleId: UUID };

describe('skipVersions on an alert config', () => {
  it.each([
    ['one version', [{ versions: '2.5.0', reason: 'broken' }]],
    ['a range without a reason', [{ versions: '>=3.0.0 <3.0.2' }]],
    ['none', []],
  ])('accepts %s', (_name, skipVersions) => {
    expect(schemaProblems(alertConfigCreateSchema, { ...config, skipVersions })).toEqual([]);
  });

  it.each([
    ['a range that does not parse', [{ versions: '2.5.0', reason: '' }, { versions: '>=3 <banana', reason: '' }], 'skipVersions.1.versions', /"?>=3"? is not a version/],
    ['an empty versions', [{ versions: '', reason: '' }], 'skipVersions.0.versions', /must name a version/],
    ['an unknown key', [{ versions: '1.0.0', why: 'x' }], 'skipVersions.0.why', /not a known field/],
  ])('refuses %s, naming the field', (_name, skipVersions, path, message) => {
    expect(schemaProblems(alertConfigCreateSchema, { ...config, skipVersions })).toEqual([{ path, message: expect.stringMatching(message) }]);
  });
});

describe('libyear rules', () => {
  const rule = { name: 'libyear', type: 'libyear', moderate: 0.5, high: 1, critical: 2.5 };
  it('accepts fractional years', () => {
    expect(schemaProblems(ruleCreateSchema, rule)).toEqual([]);
  });
  it.each([
    ['zero years', { ...rule, moderate: 0 }, [{ path: 'moderate', message: 'moderate must be above 0 (years)' }]],
    ['out of order', { ...rule, high: 0.25 }, [{ path: 'high', message: 'high must be at least moderate (0.5)' }]],
    ['fractions on another type', { ...rule, type: 'days_behind' }, [{ path: 'moderate', message: 'moderate must be an integer' }, { path: 'critical', message: 'critical must be an integer' }]],
  ])('refuses %s', (_name, body, expected) => {
    expect(schemaProblems(ruleCreateSchema, body)).toEqual(expected);
  });
});

describe('eol rules', () => {
  const rule = { name: 'eol', type: 'eol', moderate: 90, high: 30, critical: 0 };
  it('accept days left that run downwards, critical 0 meaning past end of life', () => {
    expect(schemaProblems(ruleCreateSchema, rule)).toEqual([]);
  });
  it.each([
    ['ascending thresholds', { ...rule, moderate: 0, critical: 90 }, ['high', 'critical']],
    ['a negative threshold', { ...rule, critical: -1 }, ['critical']],
    ['a fraction', { ...rule, high: 30.5 }, ['high']],
  ])('refuse %s', (_name, body, paths) => {
    expect(schemaProblems(ruleCreateSchema, body).map((p) => p.path)).toEqual(paths);
  });
});
