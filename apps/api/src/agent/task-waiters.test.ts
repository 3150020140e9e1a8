import { describe, expect, it } from '@jest/globals';
import { TaskWaiters } from './task-waiters.ts';

describe('TaskWaiters', () => {
  it('says why a wait ended: woken by its organization, run out, hung up, or closed', async () => {
    const waiters = new TaskWaiters();
    const woken = waiters.wait('acme', 60_000);
    const other = waiters.wait('globex', 60_000);
    waiters.wake('acme');
    expect(await woken).toBe('woken');
    expect(waiters.size).toBe(1);

    expect(await waiters.wait('acme', 5)).toBe('timeout');

    const hangUp = new AbortController();
    const hungUp = waiters.wait('acme', 60_000, hangUp.signal);
    hangUp.abort();
    expect(await hungUp).toBe('ended');

    waiters.close();
    expect(await other).toBe('woken');
    expect(await waiters.wait('globex', 60_000)).toBe('ended');
    expect(waiters.size).toBe(0);
  });
});
