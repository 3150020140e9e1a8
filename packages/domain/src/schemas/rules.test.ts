import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { PlanekeeperError } from '../errors.ts';
import { schemaProblems } from './parse.ts';
import { assertRuleThresholds, ruleCreateSchema, ruleThresholdIssues, ruleUpdateSchema } from './rules.ts';

const rule = { name: 'minor lag', type: 'minors_behind', moderate: 2, high: 4, critical: 8, stableOnly: true };
const problems = (data: unknown, schema: z.ZodType = ruleCreateSchema) => schemaProblems(schema, data);

describe('ruleCreateSchema', () => {
  it.each([
    ['ascending thresholds', rule],
    ['equal thresholds', { ...rule, moderate: 3, high: 3, critical: 3 }],
    ['days_behind without stableOnly', { name: 'age', type: 'days_behind', moderate: 30, high: 90, critical: 180 }],
  ])('accepts %s', (_name, body) => {
    expect(problems(body)).toEqual([]);
  });

  it.each([
    ['high below moderate', { ...rule, moderate: 5, high: 4 }, [{ path: 'high', message: 'high must be at least moderate (5)' }]],
    ['critical below high', { ...rule, critical: 3 }, [{ path: 'critical', message: 'critical must be at least high (4)' }]],
    ['both out of order', { ...rule, moderate: 9, high: 4, critical: 1 }, [
      { path: 'high', message: 'high must be at least moderate (9)' },
      { path: 'critical', message: 'critical must be at least high (4)' },
    ]],
    ['zero threshold', { ...rule, moderate: 0 }, [{ path: 'moderate', message: 'moderate must be at least 1' }]],
    ['fractional threshold', { ...rule, high: 2.5 }, [{ path: 'high', message: 'high must be an integer' }]],
    ['string threshold', { ...rule, critical: '8' }, [{ path: 'critical', message: 'critical must be a number' }]],
    ['missing threshold', { ...rule, critical: undefined }, [{ path: 'critical', message: 'critical is required' }]],
    ['unknown type', { ...rule, type: 'patches_behind' }, [{ path: 'type', message: expect.stringMatching(/days_behind/) }]],
    ['unknown key', { ...rule, stable_only: true }, [{ path: 'stable_only', message: 'is not a known field' }]],
  ])('refuses %s', (_name, body, expected) => {
    expect(problems(body)).toEqual(expected);
  });
});

describe('ruleUpdateSchema and merged thresholds', () => {
  it('accepts a single threshold (checked against the stored rule by the service)', () => {
    expect(problems({ high: 100 }, ruleUpdateSchema)).toEqual([]);
  });

  it('checks thresholds given together with a type (without one, the service checks them merged)', () => {
    expect(problems({ type: 'minors_behind', moderate: 10, high: 5 }, ruleUpdateSchema).map((p) => p.path)).toEqual(['high']);
    expect(problems({ type: 'minors_behind', moderate: 10, critical: 5 }, ruleUpdateSchema)).toEqual([{ path: 'critical', message: 'critical must be at least moderate (10)' }]);
  });

  it('assertRuleThresholds throws on a merged rule out of order', () => {
    expect(() => assertRuleThresholds({ moderate: 2, high: 4, critical: 8 })).not.toThrow();
    expect(() => assertRuleThresholds({ ...{ moderate: 2, high: 4, critical: 8 }, high: 10 })).toThrow(PlanekeeperError);
    expect(ruleThresholdIssues({ moderate: 2, high: 10, critical: 8 })).toEqual([{ path: ['critical'], message: 'critical must be at least high (10)' }]);
  });
});
