import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { alertEventQueue, notificationDeadQueue, notificationDeliverQueue } from '@planekeeper/domain';
import { sql } from 'kysely';
import { jobsOf, makeScenario, startNotifier, waitFor, type NotifierUnderTest } from './helpers/notifier.ts';

let notifier: NotifierUnderTest;

beforeAll(async () => {
  notifier = await startNotifier();
});
afterAll(() => notifier.stop());

/** A pending delivery owned by a job that pg-boss then gives up on, as after repeated notifier crashes. */
async function deadLetteredJob(options: { ownedByTheJob: boolean }) {
  const scenario = await makeScenario(notifier.db, { type: 'webhook', url: 'https://hooks.example.com/never-called' });
  const jobId = randomUUID();
  const delivery = await notifier.db
    .insertInto('deliveries')
    .values({ organization_id: scenario.organizationId, alert_event_id: scenario.alertEventId, channel_id: scenario.channelId, job_id: options.ownedByTheJob ? jobId : randomUUID() })
    .returningAll()
    .executeTakeFirstOrThrow();
  // Far in the future, so the notifier leaves it to this test, which plays the crashing worker.
  await notifier.boss.send(notificationDeliverQueue.name, { organizationId: scenario.organizationId, deliveryId: delivery.id }, { id: jobId, retryLimit: 0, startAfter: 3600 });
  const [claimed] = await notifier.boss.fetch(notificationDeliverQueue.name, { ignoreStartAfter: true });
  expect(claimed?.id).toBe(jobId);
  await notifier.boss.fail(notificationDeliverQueue.name, jobId, { message: 'worker crashed' });
  await waitFor('the dead letter handled', async () => {
    const dead = await jobsOf(notifier.db, 'notification.dead', delivery.id);
    return dead.length === 1 && dead[0]!.state === 'completed';
  });
  return notifier.db.selectFrom('deliveries').selectAll().where('id', '=', delivery.id).executeTakeFirstOrThrow();
}

describe('dead letters from pg-boss', () => {
  it('mark the delivery dead when its job failed every retry, saying why', async () => {
    const delivery = await deadLetteredJob({ ownedByTheJob: true });
    expect(delivery).toMatchObject({ status: 'dead', job_id: null, next_attempt_at: null });
    expect(delivery.last_error).toMatch(/^the delivery job failed every time the queue retried it/);
  });

  it('leave a delivery alone that a newer job owns', async () => {
    const delivery = await deadLetteredJob({ ownedByTheJob: false });
    expect(delivery.status).toBe('pending');
  });
});

describe('payloads that do not parse', () => {
  /** The job, once settled, and the copy its dead-letter queue holds. */
  async function deadLettered(jobId: string) {
    return waitFor('the job dead-lettered', async () => {
      const { rows } = await sql<{ state: string; retry_count: number; dead_letter: string; dead_id: string }>`
        SELECT j.state, j.retry_count, d.name AS dead_letter, d.id AS dead_id
          FROM pgboss.job j JOIN pgboss.job d ON d.source_id = j.id WHERE j.id = ${jobId}`.execute(notifier.db);
      return rows[0];
    });
  }
  const logged = (jobId: string) => notifier.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.jobId === jobId);

  it.each([alertEventQueue.name, notificationDeadQueue.name])('%s: dead-lettered at once with the reason logged, never retried', async (queue) => {
    const id = (await notifier.boss.send(queue, { organizationId: randomUUID(), deliveryId: 'nope', alertEventId: 'nope' }))!;
    expect(await deadLettered(id)).toMatchObject({ state: 'failed', retry_count: 0, dead_letter: 'dead-letters' });
    expect(logged(id)).toMatchObject({ level: 'error', queue, msg: `${queue} job with an invalid payload: dead-lettered`, reason: expect.stringContaining('Invalid payload') });
  });

  it('notification.deliver: dead-lettered into notification.dead, where it ends failed, each step with the reason logged', async () => {
    const id = (await notifier.boss.send(notificationDeliverQueue.name, { organizationId: randomUUID(), deliveryId: 'nope' }))!;
    const first = await deadLettered(id);
    expect(first).toMatchObject({ state: 'failed', retry_count: 0, dead_letter: 'notification.dead' });
    expect(logged(id)).toMatchObject({ level: 'error', queue: 'notification.deliver', reason: expect.stringMatching(/deliveryId/) });
    // A copy pg-boss dead-lettered has no dead-letter queue of its own: it stays here, failed, with its reason.
    const copy = await waitFor('the copy settled', async () => {
      const { rows } = await sql<{ state: string; retry_count: number; output: { error?: string } }>`
        SELECT state, retry_count, output FROM pgboss.job WHERE id = ${first.dead_id}`.execute(notifier.db);
      return rows[0]?.state === 'failed' ? rows[0] : undefined;
    });
    expect(copy).toMatchObject({ retry_count: 0, output: { error: expect.stringMatching(/deliveryId/) } });
    expect(logged(first.dead_id)).toMatchObject({ level: 'error', queue: 'notification.dead', reason: expect.stringMatching(/deliveryId/) });
  });
});
