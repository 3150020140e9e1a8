import type { z } from 'zod';
import { validationFailed } from '../errors.ts';
import { issuesToDetails } from '../schemas/parse.ts';

/** Characters pg-boss allows in a queue name. */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_.\/-]+$/;

/** pg-boss v12 queue policies. */
export type QueuePolicy = 'standard' | 'short' | 'singleton' | 'stately' | 'exclusive';

/**
 * The pg-boss v12 `createQueue` options we set. Jobs inherit them unless `send` overrides them.
 * Times are seconds.
 */
export interface QueueOptions {
  policy: QueuePolicy;
  /** Retries after the first attempt fails (throws or expires). */
  retryLimit: number;
  /** Delay before a retry; with retryBackoff, pg-boss grows it exponentially with jitter. */
  retryDelay: number;
  retryBackoff: boolean;
  /** Longest retry delay when backing off. */
  retryDelayMax?: number;
  /** How long a job may stay active before it counts as failed (and is retried). */
  expireInSeconds: number;
  /**
   * Workers prove they are alive this often (pg-boss job heartbeats, at least 10): a job whose
   * worker died is retried after this, not after its whole expiry.
   */
  heartbeatSeconds?: number;
  /** How long a job may wait unworked before pg-boss deletes it (14 days when unset). */
  retentionSeconds?: number;
  /**
   * Queue a job's payload is copied to when its retries are used up, or at once when its payload
   * does not parse; must be created first.
   */
  deadLetter?: string;
}

/**
 * How a service works the queue (pg-boss `work` options), declared beside the queue so every
 * consumer of it works the same way. A service's env may override concurrency, batch size and
 * polling where it has a setting for them.
 */
export interface ConsumerSettings {
  /** Jobs one worker fetches at once. */
  batchSize: number;
  /**
   * Jobs one process works on at once. With `sequential` batches that is the number of workers;
   * with `parallel` ones, workers x batch size.
   */
  concurrency: number;
  /**
   * `sequential`: a worker handles its batch one job after another (each job holds a database
   * connection while it runs). `parallel`: side by side (jobs that mostly wait on someone else,
   * such as a webhook receiver); the batch waits for its slowest job.
   */
  batch: 'sequential' | 'parallel';
  /**
   * How often idle workers look for due jobs. A new job wakes them at once (LISTEN/NOTIFY), but a
   * retry becomes due without a NOTIFY, so this bounds how late a retry starts.
   */
  pollingIntervalSeconds: number;
  /** Fetch each job with pg-boss's metadata (a dead-letter consumer reads where it came from). */
  includeMetadata?: boolean;
}

/** One queue: its name, payload schema and options, declared once and imported by both sides. */
export interface QueueDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly schema: S;
  readonly options: Readonly<QueueOptions>;
  /** How it is consumed; absent for a queue nobody works (the dead letters kept for people). */
  readonly consumer?: Readonly<ConsumerSettings>;
}

/** A queue some service consumes. */
export type ConsumedQueue<S extends z.ZodType = z.ZodType> = QueueDefinition<S> & { readonly consumer: Readonly<ConsumerSettings> };

/** The payload type of a queue. */
export type QueuePayload<Q extends QueueDefinition> = z.output<Q['schema']>;

/** Declares a queue; throws when the name is not one pg-boss accepts or a setting is impossible. */
export function defineQueue<S extends z.ZodType, C extends ConsumerSettings | undefined = undefined>(definition: {
  name: string;
  description: string;
  schema: S;
  options: QueueOptions;
  consumer?: C;
}): C extends ConsumerSettings ? ConsumedQueue<S> : QueueDefinition<S> {
  if (!QUEUE_NAME_PATTERN.test(definition.name)) {
    throw new Error(`Queue name "${definition.name}" may only hold letters, digits, -, _, . and /`);
  }
  if (definition.options.deadLetter === definition.name) {
    throw new Error(`Queue "${definition.name}" cannot be its own dead-letter queue`);
  }
  const consumer = definition.consumer;
  if (consumer) {
    for (const key of ['batchSize', 'concurrency'] as const) {
      if (!Number.isInteger(consumer[key]) || consumer[key] < 1) throw new Error(`Queue "${definition.name}": consumer ${key} must be a whole number of at least 1`);
    }
    // pg-boss refuses a polling interval under half a second.
    if (!(consumer.pollingIntervalSeconds >= 0.5)) throw new Error(`Queue "${definition.name}": consumer pollingIntervalSeconds must be at least 0.5`);
  }
  const frozen = Object.freeze({
    ...definition,
    options: Object.freeze({ ...definition.options }),
    ...(consumer ? { consumer: Object.freeze({ ...consumer }) } : {}),
  });
  return frozen as unknown as C extends ConsumerSettings ? ConsumedQueue<S> : QueueDefinition<S>;
}

/**
 * Parses a queue payload: producers call it before `send`, consumers on receipt.
 * @throws PlanekeeperError `validation_failed` naming the queue and each bad field.
 */
export function parsePayload<S extends z.ZodType>(queue: QueueDefinition<S>, data: unknown): z.output<S> {
  const result = queue.schema.safeParse(data);
  if (result.success) return result.data;
  const details = issuesToDetails(result.error.issues);
  const summary = details.map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)).join('; ');
  throw validationFailed(details, `Invalid payload for queue "${queue.name}": ${summary}`);
}
