import { TASK_READY_CHANNEL } from '@planekeeper/db';
import type { Logger } from '@planekeeper/runtime';
import pg from 'pg';

/** More channels for the one listening connection, and what to do after a gap in listening. */
export interface ListenOptions {
  /** Handlers by channel name (a trusted identifier: it is sent as `LISTEN <name>`). */
  channels?: Record<string, (payload: string) => void>;
  /** Called before listening (again): notifications sent meanwhile were missed. */
  onGap?: () => void;
}

/** Longest a waiting claim goes without looking at the database, in case a notification was lost. */
const SAFETY_RECHECK_MS = 5_000;

/**
 * Long-polling claims wait here without holding a database connection. One LISTEN connection per
 * api process hears "a task became pending in organization X" (sent by a trigger in the
 * transaction that made it so) and wakes that organization's waiting claims, so an idle agent
 * hears of new work in milliseconds while 10,000 idle agents cost one connection.
 */
export class TaskWaiters {
  readonly #url: string;
  readonly #logger: Logger;
  readonly #waiting = new Map<string, Set<() => void>>();
  readonly #also: ListenOptions;
  #client: pg.Client | null = null;
  #stopped = false;
  #reconnectTimer: NodeJS.Timeout | null = null;

  /** `options.channels`: more channels heard on the same connection (one per api process). */
  constructor(url: string, logger: Logger, options: ListenOptions = {}) {
    this.#url = url;
    this.#logger = logger;
    this.#also = options;
  }

  /** Opens the listening connection; reconnects by itself when Postgres goes away. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'planekeeper-api-listen', keepAlive: true });
    client.on('notification', (message) => {
      if (!message.payload) return;
      if (message.channel === TASK_READY_CHANNEL) this.#wake(message.payload);
      else this.#also.channels?.[message.channel]?.(message.payload);
    });
    client.on('error', (error) => {
      this.#logger.warn({ err: error }, 'task listener lost its connection; reconnecting');
      this.#scheduleReconnect(client);
    });
    client.on('end', () => this.#scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${TASK_READY_CHANNEL}`);
    for (const channel of Object.keys(this.#also.channels ?? {})) await client.query(`LISTEN ${channel}`);
    // Anything announced while we were not listening: let every waiter look again.
    this.#also.onGap?.();
    this.#client = client;
    this.#wakeAll();
  }

  #scheduleReconnect(client: pg.Client): void {
    if (this.#stopped || this.#client !== client || this.#reconnectTimer) return;
    this.#client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.start().catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'task listener could not reconnect; retrying');
        this.#client = client;
        this.#scheduleReconnect(client);
      });
    }, 1_000);
  }

  /** Whether the listening connection is up (part of readiness). */
  get listening(): boolean {
    return this.#client !== null;
  }

  /**
   * Resolves when a task becomes pending in `organizationId`, after `timeoutMs`, or when `signal`
   * aborts (the agent hung up), whichever comes first. Also resolves every few seconds as a
   * safety net, so callers simply look again.
   */
  wait(organizationId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiting.get(organizationId);
      if (!set) this.#waiting.set(organizationId, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiting.get(organizationId) === waiters) this.#waiting.delete(organizationId);
        resolve();
      };
      const timer = setTimeout(done, Math.min(timeoutMs, SAFETY_RECHECK_MS));
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(done);
      if (signal?.aborted) done();
    });
  }

  /** Number of claims waiting now (a metric). */
  get size(): number {
    let n = 0;
    for (const set of this.#waiting.values()) n += set.size;
    return n;
  }

  #wake(organizationId: string): void {
    for (const done of [...(this.#waiting.get(organizationId) ?? [])]) done();
  }

  #wakeAll(): void {
    for (const organizationId of [...this.#waiting.keys()]) this.#wake(organizationId);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#wakeAll();
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
