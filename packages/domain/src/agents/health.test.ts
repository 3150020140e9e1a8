import { describe, expect, it } from '@jest/globals';
import { agentLiveness, agentWarnings, blockedReasonMessage, classifyInstance, clockSkewMs } from './health.ts';

const at = (iso: string) => new Date(iso);

describe('agentLiveness', () => {
  const thresholds = { staleAfterSeconds: 45, offlineAfterSeconds: 90 };
  const now = at('2026-01-01T00:02:00Z');
  it('is online within a heartbeat and a half, stale after a missed beat, offline at the recovery threshold', () => {
    expect(agentLiveness(at('2026-01-01T00:01:20Z'), now, thresholds)).toBe('online');
    expect(agentLiveness(at('2026-01-01T00:01:14Z'), now, thresholds)).toBe('stale');
    expect(agentLiveness(at('2026-01-01T00:00:30Z'), now, thresholds)).toBe('offline');
  });
  it('never calls an agent stale beyond the point where it is offline', () => {
    expect(agentLiveness(at('2026-01-01T00:01:00Z'), now, { staleAfterSeconds: 300, offlineAfterSeconds: 60 })).toBe('offline');
  });
});

describe('clockSkewMs', () => {
  it('adds half the measured round trip to the agent clock before comparing', () => {
    // The agent is 120 s ahead; the request took 50 ms each way.
    expect(clockSkewMs({ agentClockMs: 1_000_120_000 - 50, roundTripMs: 100, receivedAtMs: 1_000_000_000 })).toBe(120_000);
  });
  it('takes no round trip (a first beat) as zero delay and bounds an absurd one', () => {
    expect(clockSkewMs({ agentClockMs: 5000, roundTripMs: undefined, receivedAtMs: 5000 })).toBe(0);
    expect(clockSkewMs({ agentClockMs: 0, roundTripMs: 10_000_000, receivedAtMs: 0 })).toBe(30_000);
  });
});

describe('agentWarnings', () => {
  it('warns beyond 30 s of skew either way, and of duplicate instances', () => {
    expect(agentWarnings({ clockSkewMs: 30_000, duplicateInstances: false })).toEqual([]);
    expect(agentWarnings({ clockSkewMs: 120_400, duplicateInstances: false })[0]).toMatch(/120 s ahead of the server's/);
    expect(agentWarnings({ clockSkewMs: -31_000, duplicateInstances: false })[0]).toMatch(/31 s behind/);
    expect(agentWarnings({ clockSkewMs: null, duplicateInstances: true })[0]).toMatch(/^duplicate_instances: .*AGENT_NAME/);
  });
});

describe('classifyInstance', () => {
  const now = at('2026-01-01T00:00:00Z');
  const base = { current: 'a', previous: null, duplicateSeenAt: null, now, duplicateWindowSeconds: 90 };
  it('sees the same process, a restart, and alternating processes', () => {
    expect(classifyInstance({ ...base, instanceId: 'a' }).kind).toBe('same');
    expect(classifyInstance({ ...base, current: null, instanceId: 'a' }).kind).toBe('same');
    expect(classifyInstance({ ...base, instanceId: 'b' }).kind).toBe('restarted');
    expect(classifyInstance({ ...base, current: 'b', previous: 'a', instanceId: 'a' }).kind).toBe('duplicate');
  });
  it('treats a new id during recent duplicates as one more duplicate, and as a restart once they are old', () => {
    expect(classifyInstance({ ...base, instanceId: 'c', duplicateSeenAt: at('2025-12-31T23:59:00Z') }).kind).toBe('duplicate');
    expect(classifyInstance({ ...base, instanceId: 'c', duplicateSeenAt: at('2025-12-31T23:50:00Z') }).kind).toBe('restarted');
  });
});

describe('blockedReasonMessage', () => {
  it('names the credential nobody holds', () => {
    expect(blockedReasonMessage('credential', { kind: 'scrape', credentialName: 'github-pat' })).toBe('no online agent holds credential "github-pat"');
    expect(blockedReasonMessage('capability', { kind: 'helm_sync', credentialName: null })).toMatch(/runs helm_sync tasks/);
  });
});
