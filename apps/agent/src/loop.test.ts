import { describe, expect, it } from '@jest/globals';
import { CLAIM_MAX_TASKS as SERVER_CLAIM_MAX_TASKS } from '@planekeeper/domain';
import { CLAIM_MAX_TASKS } from './loop.ts';

describe('CLAIM_MAX_TASKS', () => {
  it('is the server’s: a claim asking for more would be refused', () => {
    expect(CLAIM_MAX_TASKS).toBe(SERVER_CLAIM_MAX_TASKS);
  });
});
