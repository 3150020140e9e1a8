/**
 * Longest a waiting claim goes without looking at the database, in case a wake-up was lost (a gap
 * in listening wakes every claim anyway), spread by up to a fifth either way so the claims of
 * agents that started together do not look together. Every look is a claim statement: with 5 s,
 * 2,000 idle agents cost the api 400 statements a second and some 6 % of a core doing nothing
 * (bench `longpoll`); with 30 s, about what their own polls cost.
 */
const SAFETY_RECHECK_MS = 30_000;
const safetyRecheckMs = () => SAFETY_RECHECK_MS * (0.8 + 0.4 * Math.random());

/** Why a wait ended: a wake-up, the safety net's look, the caller's time ran out, or the caller hung up / the waiters closed. */
export type WaitEnd = 'woken' | 'recheck' | 'timeout' | 'ended';

/**
 * Long-polling claims wait here without holding a database connection, by organization. The
 * api's change listener wakes an organization's claims when a task becomes pending there (and
 * every claim after a gap in listening), so an idle agent hears of new work in milliseconds while
 * 10,000 idle agents cost no connection at all.
 */
export class TaskWaiters {
  readonly #waiting = new Map<string, Set<(why: WaitEnd) => void>>();
  #closed = false;

  /**
   * Resolves when a task becomes pending in `organizationId` (or may have: 'woken'), after
   * `timeoutMs` ('timeout'), when `signal` aborts (the agent hung up) or when the waiters close
   * ('ended'), whichever comes first. Also resolves after half a minute or so as a safety net
   * ('recheck'), so callers simply look again.
   */
  wait(organizationId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitEnd> {
    return new Promise((resolve) => {
      if (this.#closed) return resolve('ended');
      let set = this.#waiting.get(organizationId);
      if (!set) this.#waiting.set(organizationId, (set = new Set()));
      const waiters = set;
      const end = (why: WaitEnd) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', ended);
        waiters.delete(end);
        if (waiters.size === 0 && this.#waiting.get(organizationId) === waiters) this.#waiting.delete(organizationId);
        resolve(why);
      };
      const ended = () => end('ended');
      const recheckMs = safetyRecheckMs();
      const timer = setTimeout(end, Math.min(timeoutMs, recheckMs), recheckMs < timeoutMs ? 'recheck' : 'timeout');
      signal?.addEventListener('abort', ended, { once: true });
      waiters.add(end);
      if (signal?.aborted) ended();
    });
  }

  /** Wakes the claims waiting in `organizationId`. */
  wake(organizationId: string): void {
    for (const end of [...(this.#waiting.get(organizationId) ?? [])]) end('woken');
  }

  /** Wakes every waiting claim (wake-ups may have been missed). */
  wakeAll(): void {
    for (const organizationId of [...this.#waiting.keys()]) this.wake(organizationId);
  }

  /** Ends every wait, now and later: the api is stopping, and long polls answer at once. */
  close(): void {
    this.#closed = true;
    this.wakeAll();
  }

  /** Whether the waiters are closed: a claim stops looking and answers with what it has. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of claims waiting now (a metric). */
  get size(): number {
    let n = 0;
    for (const set of this.#waiting.values()) n += set.size;
    return n;
  }
}
