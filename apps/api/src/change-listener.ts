import type { Logger } from '@planekeeper/runtime';
import pg from 'pg';

/** What to do with each channel's notifications, and after a gap in listening. */
export interface ChangeListenerOptions {
  /** Handlers by channel name (a trusted identifier: it is sent as `LISTEN <name>`). */
  channels: Record<string, (payload: string) => void>;
  /** Called each time listening (re)starts: notifications sent meanwhile were missed. */
  onGap: () => void;
}

/**
 * The api process's one LISTEN connection. It hears the changes the database announces by
 * trigger, in the transaction that makes them: a task became pending in an organization (which
 * wakes that organization's waiting claims), an API key was revoked, changed or deleted (which
 * evicts it from the key cache). One connection per api process whatever the number of agents or
 * keys. It reconnects by itself when Postgres goes away; until it does, `listening` is false.
 */
export class ChangeListener {
  readonly #url: string;
  readonly #logger: Logger;
  readonly #options: ChangeListenerOptions;
  #client: pg.Client | null = null;
  #stopped = false;
  #reconnectTimer: NodeJS.Timeout | null = null;

  constructor(url: string, logger: Logger, options: ChangeListenerOptions) {
    this.#url = url;
    this.#logger = logger;
    this.#options = options;
  }

  /** Opens the listening connection and listens on every channel. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'planekeeper-api-listen', keepAlive: true });
    client.on('notification', (message) => {
      if (message.payload) this.#options.channels[message.channel]?.(message.payload);
    });
    client.on('error', (error) => {
      this.#logger.warn({ err: error }, 'change listener lost its connection; reconnecting');
      this.#scheduleReconnect(client);
    });
    client.on('end', () => this.#scheduleReconnect(client));
    await client.connect();
    for (const channel of Object.keys(this.#options.channels)) await client.query(`LISTEN ${channel}`);
    // Anything announced while we were not listening was missed: handled before `listening` says
    // true again (the key cache is trusted only while it does).
    this.#options.onGap();
    this.#client = client;
  }

  #scheduleReconnect(client: pg.Client): void {
    if (this.#stopped || this.#client !== client || this.#reconnectTimer) return;
    this.#client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.start().catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'change listener could not reconnect; retrying');
        this.#client = client;
        this.#scheduleReconnect(client);
      });
    }, 1_000);
  }

  /** Whether the listening connection is up (part of readiness). */
  get listening(): boolean {
    return this.#client !== null;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
