/**
 * Agent health, decided from what the api knows: when the agent last beat, the clock it sent,
 * and whether its instance ids alternate. Pure; the api reads and writes, this file decides.
 */

/** |skew| above this many seconds is a warning on the agent. */
export const CLOCK_SKEW_WARNING_SECONDS = 30;

/**
 * An agent clock further than this from the server's is refused (400 on `clock`): a clock that far
 * off is broken, and storing the skew it gives would present a broken reading as a measurement.
 */
export const MAX_AGENT_CLOCK_DISTANCE_MS = 24 * 60 * 60 * 1000;

/** Longest round trip an agent may report; a longer one says nothing useful about its clock. */
export const MAX_ROUND_TRIP_MS = 60_000;

/** What the api says of an agent's heartbeats. */
export type AgentLiveness = 'online' | 'stale' | 'offline';

/** Agent statuses, as the API and /metrics name them. */
export const AGENT_LIVENESS_VALUES = ['online', 'stale', 'offline'] as const satisfies readonly AgentLiveness[];

/**
 * `online` while the last heartbeat is younger than `staleAfterSeconds` (at least one heartbeat
 * interval and a half: one late beat is not a miss), `stale` once a beat was missed, `offline`
 * from `offlineAfterSeconds` (the same threshold after which its tasks are recovered).
 */
export function agentLiveness(lastHeartbeatAt: Date, now: Date, thresholds: { staleAfterSeconds: number; offlineAfterSeconds: number }): AgentLiveness {
  const ageMs = now.getTime() - lastHeartbeatAt.getTime();
  if (ageMs >= thresholds.offlineAfterSeconds * 1000) return 'offline';
  if (ageMs >= Math.min(thresholds.staleAfterSeconds, thresholds.offlineAfterSeconds) * 1000) return 'stale';
  return 'online';
}

/**
 * The agent's clock minus the server's, NTP style with the data one heartbeat carries: the agent
 * sends its clock at send time (`agentClockMs`) and the round trip it measured on its previous
 * heartbeat (`roundTripMs`). The request took about half a round trip to arrive, so at the
 * moment the server received it (`receivedAtMs`) the agent's clock read `agentClockMs + rtt/2`.
 * The error is at most half the round trip's asymmetry; with no round trip yet (a first beat),
 * the one-way delay is taken as 0 and the skew reads low by that delay.
 */
export function clockSkewMs(input: { agentClockMs: number; roundTripMs: number | null | undefined; receivedAtMs: number }): number {
  const oneWay = Math.min(Math.max(input.roundTripMs ?? 0, 0), MAX_ROUND_TRIP_MS) / 2;
  return Math.round(input.agentClockMs + oneWay - input.receivedAtMs);
}

/** Why an agent deserves a look, one sentence each (the API, the CLI and /metrics say the same). */
export function agentWarnings(input: { clockSkewMs: number | null; duplicateInstances: boolean }): string[] {
  const warnings: string[] = [];
  if (input.clockSkewMs !== null && Math.abs(input.clockSkewMs) > CLOCK_SKEW_WARNING_SECONDS * 1000) {
    const seconds = Math.round(Math.abs(input.clockSkewMs) / 1000);
    warnings.push(`clock skew: the agent's clock is ${seconds} s ${input.clockSkewMs > 0 ? 'ahead of' : 'behind'} the server's (more than ${CLOCK_SKEW_WARNING_SECONDS} s); check NTP on its host`);
  }
  if (input.duplicateInstances) {
    warnings.push('duplicate_instances: two or more running processes share this agent\'s name (their instance ids alternate); give each process its own AGENT_NAME');
  }
  return warnings;
}

/** What a heartbeat's instance id means against the ones the api holds for the agent. */
export type InstanceChange =
  /** The instance that beat last beats again (or the agent is new). */
  | { kind: 'same' }
  /** A new process under the agent's name: what its previous instance held goes back to pending. */
  | { kind: 'restarted' }
  /** Ids alternate (or a new one arrives while they do): two live processes; release nothing. */
  | { kind: 'duplicate' };

/**
 * Compares a heartbeat's `instanceId` with the agent's current and previous ones. A restart
 * brings a new id once; a return of the previous id means the previous process is still alive,
 * so the two share the name. While duplicates were seen within `duplicateWindowSeconds`, a new id
 * is one more of them, not a restart (releasing would take tasks from a live process).
 */
export function classifyInstance(input: {
  instanceId: string;
  current: string | null;
  previous: string | null;
  duplicateSeenAt: Date | null;
  now: Date;
  duplicateWindowSeconds: number;
}): InstanceChange {
  if (input.current === null || input.instanceId === input.current) return { kind: 'same' };
  if (input.instanceId === input.previous) return { kind: 'duplicate' };
  if (duplicatesRecent(input.duplicateSeenAt, input.now, input.duplicateWindowSeconds)) return { kind: 'duplicate' };
  return { kind: 'restarted' };
}

/** Whether instance ids alternated within the last `windowSeconds`. */
export function duplicatesRecent(duplicateSeenAt: Date | null, now: Date, windowSeconds: number): boolean {
  return duplicateSeenAt !== null && now.getTime() - duplicateSeenAt.getTime() < windowSeconds * 1000;
}

/** Why no agent can take a pending task (see the api's blocked-work query), as a code. */
export type BlockedReasonCode = 'no_agent' | 'capability' | 'credential';

/** The codes of {@link BlockedReasonCode}: the `reason` label of `planekeeper_tasks_blocked`. */
export const BLOCKED_REASON_CODES = ['no_agent', 'capability', 'credential'] as const satisfies readonly BlockedReasonCode[];

/** The sentence the API shows on a blocked task and its job. */
export function blockedReasonMessage(code: BlockedReasonCode, task: { kind: string; credentialName: string | null }): string {
  switch (code) {
    case 'no_agent':
      return 'no online agent that is not draining';
    case 'capability':
      return `no online, non-draining agent runs ${task.kind} tasks`;
    case 'credential':
      return `no online agent holds credential "${task.credentialName ?? ''}"`;
  }
}
