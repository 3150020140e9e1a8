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
  /** Queue the job's payload is copied to when its retries are used up; must be created first. */
  deadLetter?: string;
}

/** One queue: its name, payload schema and options, declared once and imported by both sides. */
export interface QueueDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly schema: S;
  readonly options: Readonly<QueueOptions>;
}

/** The payload type of a queue. */
export type QueuePayload<Q extends QueueDefinition> = z.output<Q['schema']>;

/** Declares a queue; throws when the name is not one pg-boss accepts. */
export function defineQueue<S extends z.ZodType>(definition: {
  name: string;
  description: string;
  schema: S;
  options: QueueOptions;
}): QueueDefinition<S> {
  if (!QUEUE_NAME_PATTERN.test(definition.name)) {
    throw new Error(`Queue name "${definition.name}" may only hold letters, digits, -, _, . and /`);
  }
  if (definition.options.deadLetter === definition.name) {
    throw new Error(`Queue "${definition.name}" cannot be its own dead-letter queue`);
  }
  return Object.freeze({ ...definition, options: Object.freeze({ ...definition.options }) });
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
