import { describe, expect, it } from '@jest/globals';
import {
  classifyDeliveryResponse,
  DEFAULT_RETRY_LIMIT,
  MAX_RETRY_AFTER_SECONDS,
  retryAfterSeconds,
  retryDelaySeconds,
  retryScheduleSeconds,
} from './backoff.ts';

const mid = () => 0.5;
const low = () => 0;
const high = () => 0.999_999;
const HOUR = 3600;
const total = (delays: number[]) => delays.reduce((a, b) => a + b, 0);

describe('retryDelaySeconds', () => {
  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [6, 960],
    [11, 30_720],
  ])('retry %i waits %i s with neutral jitter', (attempt, seconds) => {
    expect(retryDelaySeconds(attempt, { jitter: mid })).toBe(seconds);
  });

  it('jitter spreads ±20 %', () => {
    expect(retryDelaySeconds(3, { jitter: low })).toBe(96);
    expect(retryDelaySeconds(3, { jitter: high })).toBe(144);
    for (let i = 0; i < 50; i++) {
      const delay = retryDelaySeconds(4, { jitter: Math.random });
      expect(delay).toBeGreaterThanOrEqual(192);
      expect(delay).toBeLessThanOrEqual(288);
    }
  });

  it('uses the base it is given', () => {
    expect(retryDelaySeconds(1, { baseSeconds: 1, jitter: mid })).toBe(1);
    expect(retryDelaySeconds(4, { baseSeconds: 10, jitter: mid })).toBe(80);
  });

  it('a longer Retry-After wins, a shorter one does not shorten the backoff', () => {
    expect(retryDelaySeconds(1, { jitter: mid, retryAfterSeconds: 120 })).toBe(120);
    expect(retryDelaySeconds(3, { jitter: mid, retryAfterSeconds: 5 })).toBe(120);
    expect(retryDelaySeconds(1, { jitter: mid, retryAfterSeconds: 10 * 24 * HOUR })).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it('caps the backoff at maxSeconds', () => {
    expect(retryDelaySeconds(11, { jitter: mid, maxSeconds: 600 })).toBe(600);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses attempt %p', (attempt) => {
    expect(() => retryDelaySeconds(attempt, { jitter: mid })).toThrow(RangeError);
  });

  it('base 30 s and 11 retries last about 16-17 hours in total', () => {
    const schedule = retryScheduleSeconds(DEFAULT_RETRY_LIMIT, { baseSeconds: 30, jitter: mid });
    expect(schedule).toHaveLength(11);
    expect(total(schedule)).toBe(30 * (2 ** 11 - 1));
    expect(total(schedule) / HOUR).toBeGreaterThan(16);
    expect(total(schedule) / HOUR).toBeLessThan(17.1);
    // Jitter bounds of the whole schedule.
    expect(total(retryScheduleSeconds(11, { jitter: low })) / HOUR).toBeCloseTo(13.65, 1);
    expect(total(retryScheduleSeconds(11, { jitter: high })) / HOUR).toBeCloseTo(20.47, 1);
  });
});

describe('retryAfterSeconds', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it.each([
    ['delta seconds (Headers)', { headers: new Headers({ 'Retry-After': '120' }), now }, 120],
    ['delta seconds (Node headers, any case)', { headers: { 'retry-after': '7' }, now }, 7],
    ['header array', { headers: { 'retry-after': ['3', '9'] }, now }, 3],
    ['HTTP-date', { headers: { 'retry-after': 'Thu, 01 Jan 2026 00:01:30 GMT' }, now }, 90],
    ['HTTP-date in the past', { headers: { 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, now }, 0],
    ['Discord float in a JSON string', { body: '{"message":"You are being rate limited.","retry_after":0.345,"global":false}', now }, 1],
    ['Discord float in an object', { body: { retry_after: 2.5 }, now }, 3],
    ['both: the longer wins', { headers: { 'retry-after': '1' }, body: { retry_after: 4.2 }, now }, 5],
    ['nothing', { headers: {}, now }, null],
    ['garbage header', { headers: { 'retry-after': 'soon' }, now }, null],
    ['negative number header', { headers: { 'retry-after': '-5' }, now }, null],
    ['body that is not JSON', { body: '<html>', now }, null],
    ['body retry_after not a number', { body: { retry_after: 'x' }, now }, null],
  ])('%s', (_name, response, expected) => {
    expect(retryAfterSeconds(response)).toBe(expected);
  });
});

describe('classifyDeliveryResponse', () => {
  it.each([
    [200, 'succeeded'],
    [202, 'succeeded'],
    [204, 'succeeded'],
    [301, 'permanent'],
    [302, 'permanent'],
    [307, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [408, 'retry'],
    [410, 'gone'],
    [413, 'permanent'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    ['network_error', 'retry'],
  ] as const)('%s -> %s', (outcome, expected) => {
    expect(classifyDeliveryResponse(outcome)).toBe(expected);
  });
});
