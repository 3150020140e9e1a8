import { describe, expect, it } from '@jest/globals';
import { nextRunAfterEdit, sameJson } from './job-schedule.ts';

const now = new Date('2026-03-10T10:07:00.000Z');
const planned = new Date('2026-03-10T12:00:00.000Z');
const state = { enabled: true, runnable: true, schedule: '0 */6 * * *' };

describe('nextRunAfterEdit', () => {
  it('runs a new job at once, and never schedules a disabled or manual one', () => {
    expect(nextRunAfterEdit({ before: null, after: state, workChanged: true, now })).toEqual(now);
    expect(nextRunAfterEdit({ before: null, after: { ...state, enabled: false }, workChanged: true, now })).toBeNull();
    expect(nextRunAfterEdit({ before: null, after: { ...state, runnable: false }, workChanged: true, now })).toBeNull();
    expect(nextRunAfterEdit({ before: null, after: { ...state, schedule: null }, workChanged: true, now })).toBeNull();
  });

  it('runs a re-enabled job, or one that became runnable or whose work changed, at once', () => {
    const before = { ...state, nextRunAt: planned };
    expect(nextRunAfterEdit({ before: { ...before, enabled: false, nextRunAt: null }, after: state, workChanged: false, now })).toEqual(now);
    expect(nextRunAfterEdit({ before: { ...before, runnable: false }, after: state, workChanged: false, now })).toEqual(now);
    expect(nextRunAfterEdit({ before, after: state, workChanged: true, now })).toEqual(now);
  });

  it('counts a new schedule from now, and otherwise keeps the planned run', () => {
    const before = { ...state, nextRunAt: planned };
    expect(nextRunAfterEdit({ before, after: { ...state, schedule: '*/15 * * * *' }, workChanged: false, now })).toEqual(new Date('2026-03-10T10:15:00.000Z'));
    expect(nextRunAfterEdit({ before, after: state, workChanged: false, now })).toEqual(planned);
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined keys, not values', () => {
    expect(sameJson({ owner: 'a', repo: 'b' }, { repo: 'b', owner: 'a', baseUrl: undefined })).toBe(true);
    expect(sameJson({ owner: 'a', repo: 'b' }, { owner: 'a', repo: 'c' })).toBe(false);
    expect(sameJson([1, { a: 1 }], [1, { a: 1 }])).toBe(true);
  });
});
