import { describe, expect, it } from '@jest/globals';
import { compareSeverity, SEVERITIES, severityFor } from './severity.ts';
import type { Severity } from './severity.ts';

describe('severityFor', () => {
  const days = { moderate: 30, high: 60, critical: 90 };
  it.each([
    [0, null],
    [29, null],
    [30, 'moderate'],
    [31, 'moderate'],
    [59, 'moderate'],
    [60, 'high'],
    [89, 'high'],
    [90, 'critical'],
    [365, 'critical'],
  ])('30/60/90: %j days is %j', (value, expected) => {
    expect(severityFor(value, days)).toBe(expected);
  });

  const seed = { moderate: 5, high: 10, critical: 20 };
  it.each([
    [4, null],
    [5, 'moderate'],
    [9, 'moderate'],
    [10, 'high'],
    [19, 'high'],
    [20, 'critical'],
  ])('5/10/20 (the how-it-works scale): %j is %j', (value, expected) => {
    expect(severityFor(value, seed)).toBe(expected);
  });

  it.each([
    [{ moderate: 1, high: 2, critical: 3 }, 0, null],
    [{ moderate: 1, high: 2, critical: 3 }, 2, 'high'],
    [{ moderate: 2, high: 2, critical: 2 }, 2, 'critical'],
    [{ moderate: 2, high: 2, critical: 2 }, 1, null],
    [{ moderate: 0, high: 5, critical: 10 }, 0, 'moderate'],
    [{ moderate: 1, high: 1, critical: 3 }, 1, 'high'],
  ])('thresholds %j: %j is %j', (thresholds, value, expected) => {
    expect(severityFor(value, thresholds)).toBe(expected);
  });
});

describe('compareSeverity', () => {
  it('lists severities from least to most severe', () => {
    expect(SEVERITIES).toEqual(['moderate', 'high', 'critical']);
  });

  it.each<[Severity | null, Severity | null, -1 | 0 | 1]>([
    ['moderate', 'high', -1],
    ['high', 'critical', -1],
    ['critical', 'moderate', 1],
    ['high', 'high', 0],
    [null, 'moderate', -1],
    ['moderate', null, 1],
    [null, null, 0],
  ])('%j vs %j has sign %j', (a, b, sign) => {
    expect(Math.sign(compareSeverity(a, b))).toBe(sign);
  });

  it('sorts severities', () => {
    const shuffled: (Severity | null)[] = ['critical', null, 'moderate', 'high'];
    expect(shuffled.sort(compareSeverity)).toEqual([null, 'moderate', 'high', 'critical']);
  });
});
