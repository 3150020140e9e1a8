import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { ALL_QUEUES, alertEventQueue, evaluateQueue, notificationDeadQueue, notificationDeliverQueue, taskCompletedQueue, type ConsumedQueue, type QueuePayload } from '@planekeeper/domain';
import { createLogger, type Logger } from '@planekeeper/runtime';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { consume, createBoss, type ConsumeOptions, type ReceivedJob } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

// The policy every consumer follows, tried on each queue with the settings it declares.

const CONSUMED = ALL_QUEUES.filter((queue): queue is ConsumedQueue => queue.consumer !== undefined);
const ORG = randomUUID();

/** A payload each consumed queue accepts (a new queue fails here until it is given one). */
function validPayload(queue: ConsumedQueue): object {
  switch (queue.name) {
    case taskCompletedQueue.name:
      return { organizationId: ORG, taskId: randomUUID() };
    case evaluateQueue.name:
      return { organizationId: ORG, reason: 'test', target: { alertConfigId: randomUUID() } };
    case alertEventQueue.name:
      return { organizationId: ORG, alertEventId: randomUUID() };
    case notificationDeliverQueue.name:
    case notificationDeadQueue.name:
      return { organizationId: ORG, deliveryId: randomUUID() };
    default:
      throw new Error(`no test payload for queue ${queue.name}`);
  }
}

let test: TestDatabase;
let boss: PgBoss;
let logger: Logger;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  test = await createTestDatabase();
  boss = createBoss(test.url, { logger: { warn: () => undefined, error: () => undefined }, applicationName: 'consume-test', max: 4, supervise: false });
  await boss.start();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  logger = createLogger({ service: 'consume-test', level: 'debug', destination });
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await test.destroy();
});

interface JobRow {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  output: unknown;
  data: unknown;
  started_on: Date | null;
  source_name: string | null;
}

async function jobs(where: { ids?: string[]; sourceId?: string }): Promise<JobRow[]> {
  const filter = where.ids ? sql`id = ANY(${where.ids}::uuid[])` : sql`source_id = ${where.sourceId!}::uuid`;
  const { rows } = await sql<JobRow>`SELECT id, name, state, retry_count, output, data, started_on, source_name FROM pgboss.job WHERE ${filter}`.execute(test.db);
  return rows;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Works `queue` with `handler` while `run` runs. */
async function consuming<Q extends ConsumedQueue>(
  queue: Q,
  handler: (payload: QueuePayload<Q>, job: ReceivedJob) => Promise<unknown>,
  options: ConsumeOptions<QueuePayload<Q>>,
  run: () => Promise<unknown>,
): Promise<void> {
  const release = await consume(queue, handler, { pollingIntervalSeconds: 0.5, ...options }).start({ boss, logger });
  try {
    await run();
  } finally {
    await release();
  }
}

describe.each(CONSUMED.map((queue) => [queue.name, queue] as const))('consuming %s', (name, queue) => {
  it('dead-letters a payload that does not parse at once, with its reason logged and kept, and never hands it to the handler', async () => {
    const handled: string[] = [];
    const id = (await boss.send(name, { organizationId: 'acme', surprise: true }))!;
    await consuming(queue, async (_payload, job) => handled.push(job.id), {}, async () => {
      const [job] = await waitFor('the job to fail', async () => {
        const rows = await jobs({ ids: [id] });
        return rows[0]?.state === 'failed' ? rows : undefined;
      });
      expect(job).toMatchObject({ retry_count: 0, output: { error: expect.stringContaining(`Invalid payload for queue "${name}"`) } });
      expect(await jobs({ sourceId: id })).toEqual([expect.objectContaining({ name: queue.options.deadLetter, source_name: name, data: { organizationId: 'acme', surprise: true } })]);
      expect(logs).toContainEqual(expect.objectContaining({ level: 'error', queue: name, jobId: id, reason: expect.stringContaining('organizationId: ') }));
    });
    expect(handled).toEqual([]);
  });

  it('retries a failing job of a batch alone: the others complete exactly once', async () => {
    const count = Math.max(3, Math.min(queue.consumer.batchSize, 5));
    // Sent before the worker starts, so its first fetch takes them as one batch; retried at once.
    const ids = await Promise.all(Array.from({ length: count }, () => boss.send(name, validPayload(queue), { retryDelay: 0, retryBackoff: false })));
    const [failing, ...others] = ids as string[];
    const calls = new Map<string, number>();
    const handler = async (_payload: unknown, job: ReceivedJob) => {
      calls.set(job.id, (calls.get(job.id) ?? 0) + 1);
      if (job.id === failing && job.retryCount === 0) throw new Error('the receiver exploded');
    };
    // One worker, so the batch is the whole fetch (a parallel batch is as big as the concurrency).
    const concurrency = queue.consumer.batch === 'parallel' ? queue.consumer.batchSize : 1;
    await consuming(queue, handler, { concurrency }, async () => {
      // The failing one on its retry.
      await waitFor('every job to complete', async () => ((await jobs({ ids: ids as string[] })).every((row) => row.state === 'completed') ? true : undefined));
    });
    const rows = await jobs({ ids: ids as string[] });
    expect(Object.fromEntries(calls)).toEqual(Object.fromEntries([[failing, 2], ...others.map((id) => [id, 1])]));
    if (queue.consumer.batchSize > 1) {
      // Fetched together: one fetch stamps its whole batch with one start time.
      expect(new Set(rows.filter((row) => row.id !== failing).map((row) => row.started_on?.getTime())).size).toBe(1);
    }
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', queue: name, jobIds: [failing], err: expect.objectContaining({ message: 'the receiver exploded' }) }));
  });
  it('dead-letters a job that keeps failing once its retries are used up, instead of retrying it for ever', async () => {
    // Issue 13: an evaluation that failed every time was handed out again after every restart.
    const id = (await boss.send(name, validPayload(queue), { retryLimit: 2, retryDelay: 0, retryBackoff: false }))!;
    let attempts = 0;
    await consuming(queue, async () => {
      attempts += 1;
      throw new Error('fails every time');
    }, {}, async () => {
      const [job] = await waitFor('the job to fail for good', async () => {
        const rows = await jobs({ ids: [id] });
        return rows[0]?.state === 'failed' ? rows : undefined;
      });
      expect(job).toMatchObject({ retry_count: 2, output: { error: 'fails every time' } });
      expect(await jobs({ sourceId: id })).toEqual([expect.objectContaining({ name: queue.options.deadLetter, source_name: name })]);
    });
    expect(attempts).toBe(3);
  });
});

describe('consume', () => {
  it('handles jobs of one batch with the same key once, settling them together beside an invalid neighbour', async () => {
    const target = { gatherJobId: randomUUID() };
    const same = await Promise.all([1, 2, 3].map(() => boss.send(evaluateQueue.name, { organizationId: ORG, reason: 'gather_completed', target })));
    const other = await boss.send(evaluateQueue.name, { organizationId: ORG, reason: 'rule_changed', target: { ruleId: randomUUID() } });
    const invalid = await boss.send(evaluateQueue.name, { organizationId: ORG, reason: 'x', target: {} });
    const ids = [...same, other, invalid] as string[];
    const handled: unknown[] = [];
    const outcomes: Array<[string, number]> = [];
    await consuming(
      evaluateQueue,
      async (payload) => handled.push(payload),
      { concurrency: 1, coalesce: (payload) => JSON.stringify(payload.target), onSettled: (outcome, n) => outcomes.push([outcome, n]) },
      async () => {
        await waitFor('every job settled', async () => ((await jobs({ ids })).every((row) => row.state === 'completed' || row.state === 'failed') ? true : undefined));
      },
    );
    expect(handled).toHaveLength(2);
    expect(Object.fromEntries((await jobs({ ids })).map((row) => [row.id, row.state]))).toEqual(Object.fromEntries(ids.map((id) => [id, id === invalid ? 'failed' : 'completed'])));
    expect(outcomes.sort()).toEqual([['completed', 1], ['completed', 3], ['invalid', 1]]);
  });

  it('hands different payloads of one key to `together` in one call, and settles their jobs together', async () => {
    const other = randomUUID();
    const targets = [1, 2, 3].map(() => ({ scrapeJobId: randomUUID() }));
    const ids = (await Promise.all([
      ...targets.map((target) => boss.send(evaluateQueue.name, { organizationId: ORG, reason: 'scrape_completed', target })),
      boss.send(evaluateQueue.name, { organizationId: ORG, reason: 'manual_version', target: targets[0] }),
      boss.send(evaluateQueue.name, { organizationId: other, reason: 'scrape_completed', target: { scrapeJobId: randomUUID() } }),
    ])) as string[];
    const alone: unknown[] = [];
    const together: unknown[][] = [];
    const outcomes: Array<[string, number]> = [];
    await consuming(
      evaluateQueue,
      async (payload) => alone.push(payload),
      {
        concurrency: 1,
        coalesce: (payload) => JSON.stringify([payload.organizationId, payload.target]),
        together: { key: (payload) => payload.organizationId, handle: async (payloads) => together.push(payloads) },
        onSettled: (outcome, n) => outcomes.push([outcome, n]),
      },
      () => waitFor('every job completed', async () => ((await jobs({ ids })).every((row) => row.state === 'completed') ? true : undefined)),
    );
    // The organization's three targets in one call (the target sent twice once); the other's alone.
    expect(together).toHaveLength(1);
    const handedOver = together[0]!.map((payload) => (payload as { target: unknown }).target);
    expect(handedOver).toHaveLength(3);
    expect(handedOver).toEqual(expect.arrayContaining(targets));
    expect(alone).toEqual([expect.objectContaining({ organizationId: other })]);
    expect(outcomes.sort()).toEqual([['completed', 1], ['completed', 4]]);
  });

  it('handles each payload on its own when `together` fails, so only the one that cannot succeed fails', async () => {
    const [good, bad] = [{ scrapeJobId: randomUUID() }, { scrapeJobId: randomUUID() }];
    const [goodId, badId] = (await Promise.all([good, bad].map((target) => boss.send(evaluateQueue.name, { organizationId: ORG, reason: 'scrape_completed', target })))) as string[];
    const alone: unknown[] = [];
    await consuming(
      evaluateQueue,
      async (payload) => {
        alone.push(payload.target);
        if (JSON.stringify(payload.target) === JSON.stringify(bad)) throw new Error('this target cannot be evaluated');
      },
      {
        concurrency: 1,
        together: { key: (payload) => payload.organizationId, handle: async () => Promise.reject(new Error('one of them cannot be evaluated')) },
      },
      () => waitFor('both jobs settled', async () => {
        const rows = await jobs({ ids: [goodId!, badId!] });
        return rows.length === 2 && rows.every((row) => row.state !== 'active' && row.state !== 'created') ? true : undefined;
      }),
    );
    expect(alone).toHaveLength(2);
    expect(alone).toEqual(expect.arrayContaining([good, bad]));
    expect(Object.fromEntries((await jobs({ ids: [goodId!, badId!] })).map((row) => [row.id, row.state]))).toEqual({ [goodId!]: 'completed', [badId!]: 'retry' });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', queue: evaluateQueue.name, msg: 'evaluate jobs failed together: handling each on its own' }));
  });

  it('attempts a parallel batch side by side', async () => {
    const size = notificationDeliverQueue.consumer.batchSize;
    await Promise.all(Array.from({ length: size }, () => boss.send(notificationDeliverQueue.name, validPayload(notificationDeliverQueue))));
    // Each attempt waits for all of them to be under way: one after another, none would finish.
    let inFlight = 0;
    let allStarted!: () => void;
    const together = new Promise<void>((resolve) => (allStarted = resolve));
    let done = 0;
    await consuming(
      notificationDeliverQueue,
      async () => {
        if (++inFlight === size) allStarted();
        await together;
        done++;
      },
      { concurrency: size },
      () => waitFor('the batch attempted', async () => (done === size ? true : undefined)),
    );
    expect(done).toBe(size);
  });
});
