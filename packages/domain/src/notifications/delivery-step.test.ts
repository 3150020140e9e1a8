import { describe, expect, it } from '@jest/globals';
import { decideDeliveryStep, type DeliveryAttemptResult } from './delivery-step.ts';

const response = (statusCode: number, retryAfterSeconds: number | null = null): DeliveryAttemptResult => ({ kind: 'response', statusCode, retryAfterSeconds });
const decide = (result: DeliveryAttemptResult, budgetAttempts = 1, retryLimit = 11) =>
  decideDeliveryStep({ result, budgetAttempts, retryLimit, baseSeconds: 30, jitter: () => 0.5 });

describe('decideDeliveryStep', () => {
  it.each([200, 202, 204, 299])('marks %i succeeded', (status) => {
    expect(decide(response(status))).toEqual({ status: 'succeeded', outcome: 'succeeded' });
  });

  it.each([400, 401, 403, 404, 413, 422, 301, 302, 307])('fails %i at once, without a retry', (status) => {
    expect(decide(response(status))).toEqual({ status: 'failed', outcome: 'permanent' });
  });

  it('fails a 410 as gone (the channel gets disabled)', () => {
    expect(decide(response(410))).toEqual({ status: 'failed', outcome: 'gone' });
  });

  it('fails a refused target at once, whatever the budget', () => {
    expect(decide({ kind: 'refused' }, 1)).toEqual({ status: 'failed', outcome: 'permanent' });
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('retries %i with the backoff of its retry number', (status) => {
    expect(decide(response(status), 1)).toEqual({ status: 'pending', outcome: 'retry', retry: 1, delaySeconds: 30 });
    expect(decide(response(status), 3)).toEqual({ status: 'pending', outcome: 'retry', retry: 3, delaySeconds: 120 });
  });

  it('retries network errors', () => {
    expect(decide({ kind: 'network_error' }, 2)).toEqual({ status: 'pending', outcome: 'retry', retry: 2, delaySeconds: 60 });
  });

  it('waits at least what Retry-After asks', () => {
    expect(decide(response(429, 600), 1)).toMatchObject({ status: 'pending', delaySeconds: 600 });
    expect(decide(response(429, 1), 3)).toMatchObject({ status: 'pending', delaySeconds: 120 });
  });

  it('allows exactly retryLimit retries, then the delivery is dead', () => {
    expect(decide(response(503), 11, 11)).toMatchObject({ status: 'pending', retry: 11 });
    expect(decide(response(503), 12, 11)).toEqual({ status: 'dead', outcome: 'retry' });
    expect(decide({ kind: 'network_error' }, 1, 0)).toEqual({ status: 'dead', outcome: 'retry' });
  });

  it('refuses a budget count below 1', () => {
    expect(() => decide(response(200), 0)).toThrow(RangeError);
  });
});
