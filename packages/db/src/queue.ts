import type { Kysely, Transaction } from 'kysely';
import { fromKysely, PgBoss, type Queue, type SendOptions } from 'pg-boss';
import type { Database } from './schema.ts';

/** A queue as `packages/domain` declares it (`defineQueue`): name, payload parser, queue settings. */
export interface QueueDeclaration<P> {
  readonly name: string;
  readonly schema: { parse(data: unknown): P };
  readonly options?: Readonly<Omit<Queue, 'name' | 'notify'>>;
}

interface LoggerLike {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/**
 * A pg-boss instance on `url`. Its errors (a restarted Postgres, say) are logged rather than
 * thrown: pg-boss reconnects on its own, and an unhandled 'error' event would end the process.
 */
export function createBoss(url: string, options: { logger: LoggerLike; applicationName: string; max?: number; supervise?: boolean }): PgBoss {
  const boss = new PgBoss({
    connectionString: url,
    application_name: options.applicationName,
    max: options.max ?? 5,
    useListenNotify: true,
    supervise: options.supervise ?? true,
    // The pass that retries jobs whose worker stopped heart-beating or ran past expiry: every
    // 10 s rather than pg-boss's 60, so a crashed consumer's work resumes within about a minute.
    superviseIntervalSeconds: 10,
    schedule: false,
  });
  boss.on('error', (error: unknown) => options.logger.error({ err: error }, 'queue error'));
  boss.on('warning', (warning: unknown) => options.logger.warn({ warning }, 'queue warning'));
  return boss;
}

/**
 * Creates every declared queue, or brings its settings up to date, so each service can start
 * first. A dead-letter queue is created before the queues that name it (pg-boss refuses a
 * deadLetter that does not exist yet).
 */
export async function ensureQueues(boss: PgBoss, queues: readonly QueueDeclaration<unknown>[]): Promise<void> {
  for (const queue of deadLettersFirst(queues)) {
    const existing = await boss.getQueue(queue.name);
    if (!existing) {
      try {
        // notify: a new job wakes its workers at once (LISTEN/NOTIFY) instead of at their next poll.
        await boss.createQueue(queue.name, { ...queue.options, notify: true });
        continue;
      } catch (error) {
        // Another replica created it between our look and our create.
        if (!(await boss.getQueue(queue.name))) throw error;
      }
    }
    const { policy: _policy, partition: _partition, ...settings } = queue.options ?? {};
    await boss.updateQueue(queue.name, { ...settings, notify: true });
  }
}

/** `queues` ordered so each comes after the queue it dead-letters into (when that is among them). */
function deadLettersFirst<Q extends QueueDeclaration<unknown>>(queues: readonly Q[]): Q[] {
  const ordered: Q[] = [];
  const placed = new Set<string>();
  const names = new Set(queues.map((q) => q.name));
  const place = (queue: Q, path: string[]) => {
    if (placed.has(queue.name)) return;
    if (path.includes(queue.name)) throw new Error(`Queues dead-letter into each other: ${[...path, queue.name].join(' -> ')}`);
    const target = queue.options?.deadLetter;
    const next = target !== undefined && names.has(target) ? queues.find((q) => q.name === target) : undefined;
    if (next) place(next, [...path, queue.name]);
    placed.add(queue.name);
    ordered.push(queue);
  };
  for (const queue of queues) place(queue, []);
  return ordered;
}

/**
 * Sends a job after checking its payload, inside `trx` when given: the job then exists exactly
 * when the transaction commits (a domain write and the message it causes never part ways).
 */
export async function sendJob<P extends object>(
  boss: PgBoss,
  trx: Transaction<Database> | Kysely<Database> | null,
  queue: QueueDeclaration<P>,
  payload: P,
  options: SendOptions = {},
): Promise<string | null> {
  const data = queue.schema.parse(payload);
  return boss.send(queue.name, data as object, { ...options, ...(trx ? { db: fromKysely(trx) } : {}) });
}

/** Jobs per insert statement of {@link sendJobs}. */
const INSERT_CHUNK = 500;

/**
 * Sends many jobs of one queue after checking each payload, a few hundred per statement, inside
 * `trx` when given (as {@link sendJob}). The queue's own retry, expiry and dead-letter settings apply.
 */
export async function sendJobs<P extends object>(
  boss: PgBoss,
  trx: Transaction<Database> | Kysely<Database> | null,
  queue: QueueDeclaration<P>,
  payloads: readonly P[],
): Promise<void> {
  const jobs = payloads.map((payload) => ({ data: queue.schema.parse(payload) as object }));
  for (let start = 0; start < jobs.length; start += INSERT_CHUNK) {
    await boss.insert(queue.name, jobs.slice(start, start + INSERT_CHUNK), trx ? { db: fromKysely(trx) } : {});
  }
}

export type { PgBoss } from 'pg-boss';
