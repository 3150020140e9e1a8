import { parsePayload, type ConsumedQueue, type QueuePayload } from '@planekeeper/domain';
import type { Logger, ServiceConsumer } from '@planekeeper/runtime';
import type { Job, PgBoss } from 'pg-boss';

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
  /**
   * Different work of one batch done in one go: the (coalesced) payloads whose `key` is the same
   * go to `handle` together, and their jobs settle together. Should that throw, each payload is
   * handled on its own by the consumer's handler, so that one which cannot succeed fails alone
   * and its neighbours complete.
   */
  together?: { key: (payload: P) => string; handle: (payloads: P[], job: ReceivedJob) => Promise<unknown> };
  /** Told how jobs ended (for a service's own metrics). */
  onSettled?: (outcome: JobOutcome, jobs: number) => void;
}

type Handler<Q extends ConsumedQueue> = (payload: QueuePayload<Q>, job: ReceivedJob) => Promise<unknown>;

/** Longest reason logged and stored for an invalid payload (it names fields of a hostile payload). */
const MAX_REASON_LENGTH = 1_000;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON_LENGTH);

/**
 * The one way a service consumes a queue. Each payload is parsed with the queue's own schema on
 * receipt: one that does not parse can never succeed, so it goes to the queue's dead-letter queue
 * at once, its reason logged and kept as the job's output (never completed, never retried). Each
 * job of a batch is settled on its own: a job whose handler throws is failed, and retried per
 * the queue's retry settings, while its neighbours complete exactly once.
 *
 * The exceptions are settled here, one statement for each, and pg-boss completes the rest of the
 * batch in one statement by id. Not with pg-boss's `perJobResults`: its statements join the
 * batch's results against every job of the queue, so each batch costs time in proportion to the
 * backlog (a fresh backlog of 5,000 deliveries cost Postgres some 40 % more per delivery).
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
export function consume<Q extends ConsumedQueue>(queue: Q, handler: Handler<Q>, options: ConsumeOptions<QueuePayload<Q>> = {}): ServiceConsumer<PgBoss> {
  const declared = queue.consumer;
  const concurrency = options.concurrency ?? declared.concurrency;
  const polling = options.pollingIntervalSeconds ?? declared.pollingIntervalSeconds;
  const parallel = declared.batch === 'parallel';
  const fetched = options.batchSize ?? declared.batchSize;
  // Parallel: `concurrency` jobs in flight as workers x batch; sequential: one job per worker.
  const batchSize = parallel ? Math.min(fetched, concurrency) : fetched;
  const workers = parallel ? Math.ceil(concurrency / batchSize) : concurrency;

  return {
    name: queue.name,
    async start({ boss, logger }) {
      await boss.work(
        queue.name,
        {
          batchSize,
          localConcurrency: workers,
          includeMetadata: declared.includeMetadata ?? false,
          burstWhenBatchFull: true,
          pollingIntervalSeconds: polling,
          notifyPollingIntervalSeconds: polling,
        },
        (jobs: Job<unknown>[]) => settleExceptions({ queue, handler, options, boss, logger, parallel }, jobs),
      );
      return () => boss.offWork(queue.name, { wait: false });
    },
  };
}

/**
 * Handles a batch and settles the jobs that did not succeed; pg-boss completes the others when
 * this returns (only jobs still active under this attempt: a settled one is left alone).
 */
async function settleExceptions<Q extends ConsumedQueue>(
  context: { queue: Q; handler: Handler<Q>; options: ConsumeOptions<QueuePayload<Q>>; boss: PgBoss; logger: Logger; parallel: boolean },
  jobs: Job<unknown>[],
): Promise<void> {
  const { queue, handler, options, boss, logger } = context;
  const groups = new Map<string, { payload: QueuePayload<Q>; jobs: Job<unknown>[] }>();
  for (const job of jobs) {
    let payload: QueuePayload<Q>;
    try {
      payload = parsePayload(queue, job.data) as QueuePayload<Q>;
    } catch (error) {
      const reason = messageOf(error);
      logger.error({ queue: queue.name, jobId: job.id, reason }, `${queue.name} job with an invalid payload: dead-lettered`);
      await deadLetterNow(boss, queue.name, job, { error: reason });
      options.onSettled?.('invalid', 1);
      continue;
    }
    const key = options.coalesce ? options.coalesce(payload) : job.id;
    const group = groups.get(key);
    if (group) group.jobs.push(job);
    else groups.set(key, { payload, jobs: [job] });
  }

  type Group = { payload: QueuePayload<Q>; jobs: Job<unknown>[] };
  const handle = async (group: Group) => {
    const first = group.jobs[0]!;
    try {
      await handler(group.payload, first as ReceivedJob);
      options.onSettled?.('completed', group.jobs.length);
    } catch (error) {
      logger.error(
        { err: error, queue: queue.name, jobIds: group.jobs.map((job) => job.id), retryCount: first.retryCount, payload: group.payload },
        `${queue.name} job failed: pg-boss retries it (dead-letters it once its retries are used up)`,
      );
      // Passed as fetched, so only this attempt is failed (not a retry another worker holds).
      await boss.fail(queue.name, group.jobs, { error: messageOf(error) });
      options.onSettled?.('failed', group.jobs.length);
    }
  };
  const handleTogether = async (together: NonNullable<typeof options.together>, members: Group[]) => {
    if (members.length === 1) return handle(members[0]!);
    const jobsOf = members.flatMap((member) => member.jobs);
    try {
      await together.handle(members.map((member) => member.payload), jobsOf[0] as ReceivedJob);
      options.onSettled?.('completed', jobsOf.length);
    } catch (error) {
      logger.warn({ err: error, queue: queue.name, jobIds: jobsOf.map((job) => job.id) }, `${queue.name} jobs failed together: handling each on its own`);
      for (const member of members) await handle(member);
    }
  };
  const units: Array<() => Promise<void>> = [];
  if (options.together) {
    const together = options.together;
    const byKey = new Map<string, Group[]>();
    for (const group of groups.values()) {
      const key = together.key(group.payload);
      byKey.set(key, [...(byKey.get(key) ?? []), group]);
    }
    for (const members of byKey.values()) units.push(() => handleTogether(together, members));
  } else {
    for (const group of groups.values()) units.push(() => handle(group));
  }
  if (context.parallel) await Promise.all(units.map((unit) => unit()));
  else for (const unit of units) await unit();
}

/**
 * Fails `job` for good, so pg-boss copies it to its dead-letter queue with `output` and where it
 * came from. pg-boss does that for a failed job whose retries are used up: so fail this attempt
 * (the end already if it was the last), cut its retries to the attempts it has had, and fail it
 * again. Its retry delay keeps other workers from taking it meanwhile.
 */
async function deadLetterNow(boss: PgBoss, queue: string, job: Job<unknown>, output: { error: string }): Promise<void> {
  await boss.fail(queue, job, output);
  const { updated } = await boss.update(queue, undefined, { id: job.id, retryLimit: job.retryCount });
  if (updated > 0) await boss.fail(queue, job.id, output);
}
