import type { Logger } from '../logger.ts';
import type { Release } from './backend.ts';

/**
 * What a service has acquired, each with its release, given back in reverse order of acquisition
 * (the server before the workers, the workers before pg-boss, pg-boss before the pool, the pool
 * before an embedded Postgres). A release that fails is logged and the rest still run, so one
 * stuck resource never leaves the others behind.
 */
export class ReleaseStack {
  readonly #releases: Array<{ what: string; release: Release }> = [];
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Remembers `release` for what was just acquired. */
  push(what: string, release: Release): void {
    this.#releases.push({ what, release });
  }

  /** Releases everything acquired so far, newest first; safe to call again. */
  async releaseAll(): Promise<void> {
    for (let entry = this.#releases.pop(); entry; entry = this.#releases.pop()) {
      await entry.release().catch((error: unknown) => this.#logger.error({ err: error, resource: entry?.what }, 'error while releasing a resource'));
    }
  }
}
