import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs, claimWaitSeconds, leaseRenewDelayMs, sleep } from './backoff.ts';

describe('backoffDelayMs', () => {
  const options = { baseMs: 1000, maxMs: 30_000 };
  it('doubles from the base, with jitter over the upper half', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelayMs(attempt, options, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelayMs(attempt, options, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });
  it('is capped, however many attempts failed', () => {
    expect(backoffDelayMs(10, options, () => 1)).toBe(30_000);
    expect(backoffDelayMs(10_000, options, () => 0)).toBe(15_000);
  });
});

describe('leaseRenewDelayMs', () => {
  it('renews a third of the way to the expiry, never sooner than the minimum', () => {
    expect(leaseRenewDelayMs(90_000, 0)).toBe(30_000);
    expect(leaseRenewDelayMs(1000, 0, 500)).toBe(500);
    expect(leaseRenewDelayMs(0, 5000, 500)).toBe(500);
  });
});

describe('claimWaitSeconds', () => {
  it('long-polls for the poll interval, at most 25 s', () => {
    expect(claimWaitSeconds(30_000)).toBe(25);
    expect(claimWaitSeconds(10_000)).toBe(10);
    expect(claimWaitSeconds(200)).toBe(0.2);
  });
});

describe('sleep', () => {
  it('ends early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(10_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
