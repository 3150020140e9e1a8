import { describe, expect, it } from '@jest/globals';
import { CRON_MAX_LENGTH, cronProblem, isValidCron, nextRunAt } from './next-run.ts';

const at = (iso: string): Date => new Date(iso);

describe('nextRunAt', () => {
  it.each([
    ['* * * * * *', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z'],
    ['* * * * * *', '2026-01-01T00:00:00.500Z', '2026-01-01T00:00:01.000Z'],
    ['* * * * *', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z'],
    ['0 */6 * * *', '2026-01-01T00:00:00.000Z', '2026-01-01T06:00:00.000Z'],
    ['0 */6 * * *', '2026-01-01T05:59:59.999Z', '2026-01-01T06:00:00.000Z'],
    ['0 */6 * * *', '2026-01-01T18:00:00.000Z', '2026-01-02T00:00:00.000Z'],
    ['*/15 * * * *', '2026-03-10T10:07:00.000Z', '2026-03-10T10:15:00.000Z'],
    ['30 2 * * MON', '2026-01-01T00:00:00.000Z', '2026-01-05T02:30:00.000Z'],
    ['0 0 29 2 *', '2026-01-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['  0 12 * * *  ', '2026-01-01T12:00:00.000Z', '2026-01-02T12:00:00.000Z'],
  ])('%j after %s is %s (UTC, strictly after)', (expr, after, expected) => {
    expect(nextRunAt(expr, at(after)).toISOString()).toBe(expected);
  });

  it('is pure: the same input gives the same answer', () => {
    const after = at('2026-05-05T05:05:05Z');
    expect(nextRunAt('0 */6 * * *', after).getTime()).toBe(nextRunAt('0 */6 * * *', after).getTime());
  });

  it('throws a message naming the expression when invalid', () => {
    expect(() => nextRunAt('not a cron', at('2026-01-01T00:00:00Z'))).toThrow(/"not a cron"/);
  });
});

describe('isValidCron / cronProblem', () => {
  it.each(['* * * * * *', '0 */6 * * *', '0 0 * * 0', '5 4 * * SUN', '0 0 1 JAN *', '0 9-17 * * 1-5'])(
    'accepts %j',
    (expr) => {
      expect(isValidCron(expr)).toBe(true);
      expect(cronProblem(expr)).toBeNull();
    },
  );

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['* * * *', /5 fields .* got 4/],
    ['* * * * * * *', /got 7/],
    ['@daily', /got 1/],
    ['61 * * * *', /minute/],
    ['0 25 * * *', /hour/],
    ['0 0 31 2 *', /never/],
    ['a b c d e', /not a valid cron/],
    [`0 0 * * ${'1,'.repeat(CRON_MAX_LENGTH)}1`, /at most/],
  ])('refuses %j', (expr, reason) => {
    expect(isValidCron(expr)).toBe(false);
    expect(cronProblem(expr)).toMatch(reason);
  });
});
