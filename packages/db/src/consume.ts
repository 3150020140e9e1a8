import { parsePayload, type ConsumedQueue, type QueuePayload } from '@planekeeper/domain';
import type { Logger, ServiceConsumer } from '@planekeeper/runtime';
import type { Job, JobResult, PgBoss } from 'pg-boss';

/** How a job ended: handled, failed (pg-boss retries it), or dead-lettered because its payload does not parse. */
export type JobOutcome = 'completed' | 'failed' | 'invalid';

/** A job as its handler sees it. */
export interface ReceivedJob {
  id: string;
  /** How many times it was retried before this attempt. */
  retryCount: number;
  /** Aborted when pg-boss finds this attempt's claim gone, or stops. */
  signal: AbortSignal;
  /** For a queue consumed with metadata: the queue and job a dead-lettered job came from. */
  sourceName?: string | null;
  sourceId?: string | null;
}

/** A service's own settings for a consumer, over what the queue declares. */
export interface ConsumeOptions<P> {
  /** Jobs worked on at once by this process (a service's *_CONCURRENCY setting). */
  concurrency?: number;
  /** Jobs one worker fetches at once. */
  batchSize?: number;
  /** How often idle workers look for due jobs. */
  pollingIntervalSeconds?: number;
  /** Jobs of one batch whose payloads give the same key are handled once, and settle together. */
  coalesce?: (payload: P) => string;
  /** Told how jobs ended (for a service's own metrics). */
  onSettled?: (outcome: JobOutcome, jobs: number) => void;
}

/** Longest reason logged and stored for an invalid payload (it names fields of a hostile payload). */
const MAX_REASON_LENGTH = 1_000;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON_LENGTH);

/**
 * The one way a service consumes a queue. Each payload is parsed with the queue's own schema on
 * receipt: one that does not parse can never succeed, so it goes to the queue's dead-letter queue
 * at once, its reason logged and kept as the job's output (never completed, never retried). Each
 * job of a batch is settled on its own (pg-boss `perJobResults`): a job whose handler throws is
 * failed and retried per the queue's retry settings, and its neighbours complete exactly once.
 *
 * Batch size, concurrency and polling come from the queue's declaration (`consumer`), which
 * `options` may override. A worker whose fetch came back full fetches again at once
 * (burstWhenBatchFull): a backlog after an outage drains at the speed of the handlers, not one
 * batch per worker per poll. Retries become due without a NOTIFY, so idle workers poll at the
 * declared interval rather than pg-boss's 30 s backstop for notify-enabled queues.
 *
 * Released, the workers stop fetching at once; the jobs they are running get the time pg-boss's
 * stop gives them (STOP_TIMEOUTS.jobsMs in packages/runtime).
 */
export function consume<Q extends ConsumedQueue>(
  queue: Q,
  handler: (payload: QueuePayload<Q>, job: ReceivedJob) => Promise<unknown>,
  options: ConsumeOptions<QueuePayload<Q>> = {},
): ServiceConsumer<PgBoss> {
  const settings = { ...queue.consumer, ...definedOnly(options) };
  const parallel = settings.batch === 'parallel';
  // Parallel: `concurrency` jobs in flight as workers x batch; sequential: one job per worker.
  const batchSize = parallel ? Math.min(settings.batchSize, settings.concurrency) : settings.batchSize;
  const workers = parallel ? Math.ceil(settings.concurrency / batchSize) : settings.concurrency;

  return {
    name: queue.name,
    async start({ boss, logger }) {
      await boss.work(
        queue.name,
        {
          batchSize,
          localConcurrency: workers,
          perJobResults: true,
          includeMetadata: settings.includeMetadata ?? false,
          burstWhenBatchFull: true,
          pollingIntervalSeconds: settings.pollingIntervalSeconds,
          notifyPollingIntervalSeconds: settings.pollingIntervalSeconds,
        },
        (jobs: Job<unknown>[]) => settleBatch(queue, handler, options, logger, parallel, jobs),
      );
      return () => boss.offWork(queue.name, { wait: false });
    },
  };
}

function definedOnly<P>(options: ConsumeOptions<P>) {
  const { concurrency, batchSize, pollingIntervalSeconds } = options;
  return Object.fromEntries(Object.entries({ concurrency, batchSize, pollingIntervalSeconds }).filter(([, value]) => value !== undefined));
}

async function settleBatch<Q extends ConsumedQueue>(
  queue: Q,
  handler: (payload: QueuePayload<Q>, job: ReceivedJob) => Promise<unknown>,
  options: ConsumeOptions<QueuePayload<Q>>,
  logger: Logger,
  parallel: boolean,
  jobs: Job<unknown>[],
): Promise<JobResult[]> {
  const results: JobResult[] = [];
  const groups = new Map<string, { payload: QueuePayload<Q>; jobs: Job<unknown>[] }>();
  for (const job of jobs) {
    let payload: QueuePayload<Q>;
    try {
      payload = parsePayload(queue, job.data) as QueuePayload<Q>;
    } catch (error) {
      const reason = messageOf(error);
      logger.error({ queue: queue.name, jobId: job.id, reason }, `${queue.name} job with an invalid payload: dead-lettered`);
      results.push({ id: job.id, status: 'deadletter', output: { error: reason } });
      options.onSettled?.('invalid', 1);
      continue;
    }
    const key = options.coalesce ? options.coalesce(payload) : job.id;
    const group = groups.get(key);
    if (group) group.jobs.push(job);
    else groups.set(key, { payload, jobs: [job] });
  }

  const handle = async (group: { payload: QueuePayload<Q>; jobs: Job<unknown>[] }) => {
    const first = group.jobs[0]!;
    try {
      await handler(group.payload, first as ReceivedJob);
      for (const job of group.jobs) results.push({ id: job.id, status: 'completed' });
      options.onSettled?.('completed', group.jobs.length);
    } catch (error) {
      logger.error(
        { err: error, queue: queue.name, jobIds: group.jobs.map((job) => job.id), retryCount: first.retryCount, ...(group.payload as object) },
        `${queue.name} job failed: pg-boss retries it (dead-letters it once its retries are used up)`,
      );
      const output = { error: messageOf(error) };
      for (const job of group.jobs) results.push({ id: job.id, status: 'failed', output });
      options.onSettled?.('failed', group.jobs.length);
    }
  };
  if (parallel) await Promise.all([...groups.values()].map(handle));
  else for (const group of groups.values()) await handle(group);
  return results;
}
