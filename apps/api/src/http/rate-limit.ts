/**
 * A fixed one-minute window per key, per api process. With several replicas a key may get up to
 * replicas x limit; that is the documented trade for keeping the limit off the database.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limitPerMinute: number) {
    this.#limit = limitPerMinute;
  }

  /** Counts one request of `key`; past the limit, answers the seconds to wait (the caller refuses it with rate_limited). */
  take(key: string, nowMs: number): { retryAfterSeconds: number } | null {
    if (this.#limit <= 0) return null;
    const window = this.#windows.get(key);
    if (!window || nowMs - window.start >= 60_000) {
      if (this.#windows.size > 100_000) this.#prune(nowMs);
      this.#windows.set(key, { start: nowMs, count: 1 });
      return null;
    }
    window.count += 1;
    if (window.count <= this.#limit) return null;
    return { retryAfterSeconds: Math.max(1, Math.ceil((window.start + 60_000 - nowMs) / 1000)) };
  }

  #prune(nowMs: number): void {
    for (const [key, window] of this.#windows) if (nowMs - window.start >= 60_000) this.#windows.delete(key);
  }
}
