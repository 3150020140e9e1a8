import type { AuthContext } from './route.ts';

/** A key as the cache keeps it: who it is, and when its use was last recorded. */
export interface CachedApiKey {
  auth: AuthContext;
  lastUsedAt: Date | null;
}

/**
 * The API keys this process has checked lately, by key hash, so a request costs no round trip to
 * Postgres to learn who is calling. Only valid (unrevoked) keys are kept. A key that is revoked,
 * renamed or deleted anywhere is evicted by the database trigger's notification
 * (API_KEY_CHANGED_CHANNEL, heard on the api's one LISTEN connection), and the revoking request
 * evicts it here directly, so a revoked key stops working at once. While the listening
 * connection is down nothing is served from the cache (notifications may be lost), and each
 * entry lives at most `ttlMs` whatever happens.
 */
export class ApiKeyCache {
  readonly #byHash = new Map<string, CachedApiKey & { expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #trusted: () => boolean;
  readonly #maxEntries: number;
  /** Counts evictions: a key read before one may be revoked already, and is not kept. */
  #evictions = 0;

  /**
   * @param trusted whether notifications are being heard now.
   * @param ttlMs longest an entry is used (0 turns the cache off).
   */
  constructor(options: { ttlMs: number; trusted: () => boolean; maxEntries?: number }) {
    this.#ttlMs = options.ttlMs;
    this.#trusted = options.trusted;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** The cached key of this hash, when it may be used at `nowMs`. */
  get(hash: string, nowMs: number): CachedApiKey | undefined {
    if (this.#ttlMs === 0 || !this.#trusted()) return undefined;
    const entry = this.#byHash.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.#byHash.delete(hash);
      return undefined;
    }
    return entry;
  }

  /** Taken before reading a key from the database, and handed back to {@link set}. */
  readMark(): number {
    return this.#evictions;
  }

  /**
   * Remembers a valid key read from the database at `nowMs`, unless something was evicted since
   * `readMark` (the read may predate a revocation whose notification has come already).
   */
  set(hash: string, key: CachedApiKey, nowMs: number, readMark: number): void {
    if (this.#ttlMs === 0 || !this.#trusted() || readMark !== this.#evictions) return;
    // A flood of distinct keys must not grow the process: start over rather than track recency.
    if (this.#byHash.size >= this.#maxEntries) this.#byHash.clear();
    this.#byHash.set(hash, { ...key, expiresAt: nowMs + this.#ttlMs });
  }

  /** Forgets a key by its id (revoked, renamed or deleted). */
  evict(keyId: string): void {
    this.#evictions++;
    for (const [hash, entry] of this.#byHash) if (entry.auth.keyId === keyId) this.#byHash.delete(hash);
  }

  /** Forgets every key (notifications may have been missed). */
  clear(): void {
    this.#evictions++;
    this.#byHash.clear();
  }
}
