import type { AgentHeartbeat, AgentHealthSample } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import { AgentApiError, type AgentApi, type ClaimedTaskEnvelope } from './api-client.ts';
import { backoffDelayMs, claimWaitSeconds, sleep } from './backoff.ts';
import { createLeaseKeeper, type Lease } from './lease.ts';
import { describeFailure } from './task-error.ts';

/**
 * Most tasks one claim may ask for: the server's CLAIM_MAX_TASKS, copied (loop.test.ts checks
 * that they agree) because importing it from @planekeeper/domain would build every zod schema of
 * the domain at start, some 5 MB of an idle agent's resident memory.
 */
export const CLAIM_MAX_TASKS = 50;

/** Timings of the loop; every one is a setting so tests can run in milliseconds. */
export interface LoopTimings {
  /** AGENT_POLL_INTERVAL: heartbeat period, and the pause after a claim that did not long-poll. */
  pollIntervalMs: number;
  /** Long-poll wait of a claim in seconds (default: the poll interval, at most 25 s). */
  claimWaitSeconds?: number;
  /** Retry delays while the server is unreachable or failing: doubling from baseMs up to maxMs. */
  backoff: { baseMs: number; maxMs: number };
  /** Retry delay after a 401: the key will not fix itself, but an operator may fix the server. */
  unauthorizedRetryMs: number;
  /** How long a stop waits for running tasks before stopping them. */
  drainTimeoutMs: number;
  /** How long a result or failure is retried before it is given up (the task then times out). */
  reportDeadlineMs: number;
  /** Shortest lease renewal period. */
  minLeaseRenewMs: number;
}

/** Defaults of {@link LoopTimings} apart from the poll interval. */
export const DEFAULT_TIMINGS: Omit<LoopTimings, 'pollIntervalMs'> = {
  backoff: { baseMs: 1000, maxMs: 30_000 },
  unauthorizedRetryMs: 60_000,
  drainTimeoutMs: 60_000,
  reportDeadlineMs: 10 * 60_000,
  minLeaseRenewMs: 1000,
};

/**
 * Runs a claimed task away from the loop (in the task worker) and resolves to its result as JSON
 * text, ready to report; throws a TaskError saying why it failed.
 */
export type RunTaskElsewhere = (task: ClaimedTaskEnvelope, signal: AbortSignal) => Promise<string>;

/** What the loop needs. */
export interface TaskLoopDependencies {
  api: AgentApi;
  runTask: RunTaskElsewhere;
  logger: Logger;
  /** The heartbeat body: who this agent is and what it can do. */
  agent: AgentHeartbeat;
  /** Random per start: the server tells a restart (a new id) from two processes sharing a name. */
  instanceId?: string;
  /** The health sample each heartbeat carries. */
  sampleHealth?: (runningTasks: number) => Promise<AgentHealthSample>;
  timings: LoopTimings;
  /** The agent's clock (ms since the epoch): what heartbeats report as `clock`, and lease timing. */
  now?: () => number;
  random?: () => number;
}

/** The agent's work loop: heartbeat -> claim -> run -> report. */
export interface TaskLoop {
  /** Starts in the background; an unreachable server is retried, never fatal. */
  start(): void;
  /** Stops claiming, lets running tasks finish (bounded by drainTimeoutMs), then stops heartbeats. */
  stop(): Promise<void>;
  /** For /readyz: registered and the last heartbeat answered. */
  status(): { agentId: string | null; heartbeatOk: boolean; runningTasks: number };
}

type Outcome = { resultJson: string } | { failure: { message: string; retryable: boolean } };

/** Creates the loop; see DESIGN.md section 9 for the protocol it speaks. */
export function createTaskLoop(deps: TaskLoopDependencies): TaskLoop {
  const { api, logger, timings } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const claimWait = timings.claimWaitSeconds ?? claimWaitSeconds(timings.pollIntervalMs);
  const stopClaiming = new AbortController();
  const stopHeartbeats = new AbortController();
  const giveUpReports = new AbortController();
  const running = new Map<string, { done: Promise<void>; abort: AbortController }>();
  let agentId: string | null = null;
  let heartbeatOk = false;
  let heartbeatIntervalMs = timings.pollIntervalMs;
  let serverClockOffsetMs = 0;
  let roundTripMs: number | null = null;
  let warnings = new Map<string, string>();
  let wakeClaimer: (() => void) | null = null;
  let work: Promise<void> | null = null;

  const retryDelay = (error: unknown, attempt: number) =>
    error instanceof AgentApiError && error.kind === 'unauthorized' ? timings.unauthorizedRetryMs : backoffDelayMs(attempt, timings.backoff, random);

  const logApiFailure = (error: unknown, what: string, retryInMs: number) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof AgentApiError && error.kind === 'unauthorized') {
      logger.error({ retryInMs }, `${what}: ${message}. Check AGENT_API_KEY (an agent-role key that is not revoked).`);
    } else {
      logger.warn({ retryInMs }, `${what} failed: ${message}`);
    }
  };

  // NTP style: the server compares `clock` with its receive time and adds half the round trip
  // measured here on the previous beat (the one-way delay the request took to arrive).
  async function heartbeatBody(): Promise<AgentHeartbeat> {
    const health = deps.sampleHealth ? await deps.sampleHealth(running.size).catch(() => undefined) : undefined;
    return {
      ...deps.agent,
      ...(deps.instanceId ? { instanceId: deps.instanceId } : {}),
      ...(health ? { health } : {}),
      roundTripMs,
      clock: Math.round(now()),
    };
  }

  // Each warning the server gives (clock skew, duplicate instances) is logged when it appears, and
  // once more when it clears, so an operator reading this process's logs sees it. Warnings are told
  // apart by their kind (the text before the first colon): a skew of 120 s that reads 121 s on the
  // next beat is the same warning.
  function logWarnings(current: readonly string[] | undefined): void {
    const kindOf = (warning: string) => warning.split(':')[0] ?? warning;
    const next = new Map((current ?? []).map((warning) => [kindOf(warning), warning]));
    for (const [kind, warning] of next) if (!warnings.has(kind)) logger.warn({ agent: deps.agent.name, instanceId: deps.instanceId }, `the server warns: ${warning}`);
    for (const kind of warnings.keys()) if (!next.has(kind)) logger.info({ agent: deps.agent.name }, `the server no longer warns of ${kind}`);
    warnings = next;
  }

  async function sendHeartbeat(): Promise<unknown> {
    try {
      const body = await heartbeatBody();
      const sentAt = performance.now();
      const answer = await api.heartbeat(body);
      roundTripMs = Math.min(Math.round(performance.now() - sentAt), 60_000);
      logWarnings(answer.warnings);
      if (answer.agentId !== agentId) logger.info({ agentId: answer.agentId, agent: deps.agent.name }, 'registered with the server');
      agentId = answer.agentId;
      heartbeatOk = true;
      const serverTime = Date.parse(answer.serverTime);
      if (!Number.isNaN(serverTime)) serverClockOffsetMs = serverTime - now();
      // Beat at least as often as the server expects, or it would call this agent offline.
      if (answer.pollIntervalSeconds > 0) heartbeatIntervalMs = Math.min(timings.pollIntervalMs, answer.pollIntervalSeconds * 1000);
      return null;
    } catch (error) {
      heartbeatOk = false;
      return error;
    }
  }

  async function register(): Promise<boolean> {
    for (let attempt = 0; !stopClaiming.signal.aborted; attempt++) {
      const error = await sendHeartbeat();
      if (error === null) return true;
      const delay = retryDelay(error, attempt);
      logApiFailure(error, 'heartbeat', delay);
      await sleep(delay, stopClaiming.signal);
    }
    return false;
  }

  async function beat(): Promise<void> {
    while (!stopHeartbeats.signal.aborted) {
      await sleep(heartbeatIntervalMs, stopHeartbeats.signal);
      if (stopHeartbeats.signal.aborted) return;
      const error = await sendHeartbeat();
      if (error !== null) logApiFailure(error, 'heartbeat', heartbeatIntervalMs);
    }
  }

  async function claimTasks(): Promise<void> {
    let failures = 0;
    while (!stopClaiming.signal.aborted) {
      const free = deps.agent.maxConcurrentTasks - running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            stopClaiming.signal.removeEventListener('abort', wake);
            wakeClaimer = null;
            resolve();
          };
          wakeClaimer = wake;
          stopClaiming.signal.addEventListener('abort', wake);
        });
        continue;
      }
      const startedAt = now();
      let tasks: ClaimedTaskEnvelope[];
      try {
        tasks = await api.claimTasks({ agentId: agentId as string, max: Math.min(free, CLAIM_MAX_TASKS), wait: claimWait }, stopClaiming.signal);
        failures = 0;
      } catch (error) {
        if (stopClaiming.signal.aborted) return;
        const delay = retryDelay(error, failures++);
        logApiFailure(error, 'claim', delay);
        // A 4xx may mean the server no longer knows this agent: register again before the next claim.
        if (error instanceof AgentApiError && error.kind === 'rejected') await sendHeartbeat();
        await sleep(delay, stopClaiming.signal);
        continue;
      }
      for (const task of tasks) startTask(task);
      const elapsed = now() - startedAt;
      // An empty answer well before `wait` means the server did not hold the claim: poll instead.
      if (tasks.length === 0 && elapsed < (claimWait * 1000) / 2) await sleep(timings.pollIntervalMs - elapsed, stopClaiming.signal);
    }
  }

  function startTask(envelope: ClaimedTaskEnvelope): void {
    const abort = new AbortController();
    const done = runClaimedTask(envelope, abort).finally(() => {
      running.delete(envelope.id);
      wakeClaimer?.();
    });
    running.set(envelope.id, { done, abort });
  }

  async function runClaimedTask(envelope: ClaimedTaskEnvelope, abort: AbortController): Promise<void> {
    const log = logger.child({ taskId: envelope.id, kind: envelope.kind, jobId: envelope.jobId });
    const lease = createLeaseKeeper({
      api,
      taskId: envelope.id,
      leaseToken: envelope.leaseToken,
      expiresAtMs: Date.parse(envelope.leaseExpiresAt) - serverClockOffsetMs,
      now,
      minRenewMs: timings.minLeaseRenewMs,
      backoff: (attempt) => backoffDelayMs(attempt, timings.backoff, random),
      toLocalTime: (iso) => Date.parse(iso) - serverClockOffsetMs,
      onLost: () => {
        log.warn('the server gave this task to someone else (lease refused with 409): stopping it');
        abort.abort();
      },
      logger: log,
    });
    const startedAt = now();
    log.info('task started');
    let outcome: Outcome;
    try {
      outcome = { resultJson: await deps.runTask(envelope, abort.signal) };
    } catch (error) {
      outcome = { failure: describeFailure(error) };
    }
    try {
      if (lease.lost()) return;
      await report(envelope, outcome, lease, log, now() - startedAt);
    } finally {
      lease.stop();
    }
  }

  async function report(envelope: ClaimedTaskEnvelope, outcome: Outcome, lease: Lease, log: Logger, durationMs: number): Promise<void> {
    const deadline = now() + timings.reportDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        if ('resultJson' in outcome) {
          await api.reportResult(envelope.id, envelope.leaseToken, outcome.resultJson);
          log.info({ durationMs }, 'task succeeded');
        } else {
          await api.reportFailure(envelope.id, { leaseToken: envelope.leaseToken, error: outcome.failure });
          log.warn({ durationMs, error: outcome.failure }, 'task failed');
        }
        return;
      } catch (error) {
        const kind = error instanceof AgentApiError ? error.kind : 'unavailable';
        const message = error instanceof Error ? error.message : String(error);
        if (kind === 'conflict') return log.warn(`report dropped: ${message}`);
        if (kind === 'rejected' && 'resultJson' in outcome) {
          // The server could not take the result (too large, a shape it does not know): say so as the failure.
          outcome = { failure: { message: `the server refused the result: ${message}`.slice(0, 4000), retryable: false } };
          continue;
        }
        if (kind === 'rejected') return log.error(`failure report refused: ${message}`);
        if (lease.lost() || now() > deadline || giveUpReports.signal.aborted) return log.error(`gave up reporting the task: ${message}`);
        const delay = retryDelay(error, attempt);
        logApiFailure(error, 'report', delay);
        await sleep(delay, giveUpReports.signal);
      }
    }
  }

  return {
    start() {
      work ??= (async () => {
        if (!(await register())) return;
        const heartbeats = beat();
        await claimTasks();
        await heartbeats;
      })();
    },
    async stop() {
      stopClaiming.abort();
      const settled = () => Promise.allSettled([...running.values()].map((task) => task.done));
      if (running.size > 0) logger.info({ runningTasks: running.size }, 'waiting for running tasks to finish');
      const drained = await Promise.race([settled().then(() => true), sleep(timings.drainTimeoutMs).then(() => false)]);
      if (!drained) {
        logger.warn({ runningTasks: running.size }, 'tasks still running after the drain timeout: stopping them and reporting them as retryable failures');
        for (const task of running.values()) task.abort.abort();
        await Promise.race([settled(), sleep(5000)]);
        giveUpReports.abort();
        await Promise.race([settled(), sleep(1000)]);
      }
      stopHeartbeats.abort();
      await work;
    },
    status: () => ({ agentId, heartbeatOk, runningTasks: running.size }),
  };
}
