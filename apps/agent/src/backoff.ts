/**
 * Delay before retry number `attempt` (0-based): doubling from `baseMs`, capped at `maxMs`, with
 * jitter over the upper half so a fleet of agents that lost the server together does not return
 * together.
 */
export function backoffDelayMs(attempt: number, options: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * When to renew a lease that expires at `expiresAtMs`: after a third of the time left, so two
 * renewals can fail before the lease runs out; never sooner than `minMs`.
 */
export function leaseRenewDelayMs(expiresAtMs: number, nowMs: number, minMs = 1000): number {
  return Math.max(minMs, Math.floor((expiresAtMs - nowMs) / 3));
}

/** Seconds a claim long-polls: the poll interval, capped below common proxy idle timeouts. */
export function claimWaitSeconds(pollIntervalMs: number, maxSeconds = 25): number {
  return Math.min(maxSeconds, Math.max(0, pollIntervalMs / 1000));
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
