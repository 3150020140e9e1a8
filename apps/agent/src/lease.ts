import type { Logger } from '@planekeeper/runtime';
import { AgentApiError, type AgentApi } from './api-client.ts';
import { leaseRenewDelayMs } from './backoff.ts';

/** A task's lease, renewed in the background while the task runs and reports. */
export interface Lease {
  /** True once the server refused a renewal with 409: the task is someone else's now. */
  lost(): boolean;
  stop(): void;
}

/**
 * Renews a task's lease a third of the way to its expiry, so two renewals can fail before it runs
 * out; failed renewals retry with backoff, never later than the next third.
 */
export function createLeaseKeeper(options: {
  api: AgentApi;
  taskId: string;
  leaseToken: string;
  /** Expiry in local clock milliseconds (NaN: unknown, renew at the shortest period). */
  expiresAtMs: number;
  toLocalTime: (iso: string) => number;
  now: () => number;
  minRenewMs: number;
  backoff: (attempt: number) => number;
  onLost: () => void;
  logger: Logger;
}): Lease {
  const { now } = options;
  let expiresAtMs = options.expiresAtMs;
  let stopped = false;
  let lost = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const nextRenewal = () => (Number.isNaN(expiresAtMs) ? options.minRenewMs : leaseRenewDelayMs(expiresAtMs, now(), options.minRenewMs));
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => void renew(), delayMs);
    timer.unref();
  };

  async function renew(): Promise<void> {
    try {
      const answer = await options.api.renewLease(options.taskId, options.leaseToken);
      expiresAtMs = options.toLocalTime(answer.leaseExpiresAt);
      failures = 0;
      options.logger.debug({ leaseExpiresAt: answer.leaseExpiresAt }, 'lease renewed');
      schedule(nextRenewal());
    } catch (error) {
      if (stopped) return;
      if (error instanceof AgentApiError && error.kind === 'conflict') {
        lost = true;
        stopped = true;
        options.onLost();
        return;
      }
      const delay = Math.min(options.backoff(failures++), nextRenewal());
      options.logger.warn({ retryInMs: delay }, `lease renewal failed: ${error instanceof Error ? error.message : String(error)}`);
      schedule(delay);
    }
  }

  schedule(nextRenewal());
  return {
    lost: () => lost,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
