import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { notificationDeliverQueue } from '@planekeeper/domain';
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
