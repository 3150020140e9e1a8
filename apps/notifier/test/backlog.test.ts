import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scheduleDeliveryAttempt } from '@planekeeper/db';
import { makeAlert, makeAlertEvent } from '@planekeeper/db/testing';
import { alertEventQueue } from '@planekeeper/domain';
import { fromKysely } from 'pg-boss';
import { deliveriesOf, makeScenario, startNotifier, waitFor, type NotifierUnderTest } from './helpers/notifier.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';

// Idle workers look for due jobs only every 30 s here: whatever is queued at once in one
// transaction (one NOTIFY) must still drain at the receivers' pace, not a few jobs per poll.
let notifier: NotifierUnderTest;
let hook: Receiver;

beforeAll(async () => {
  notifier = await startNotifier({ NOTIFIER_POLL_INTERVAL_SECONDS: '30' });
  hook = await startReceiver(() => ({ status: 204 }));
});
afterAll(async () => {
  await hook?.close();
  await notifier?.stop();
});

/** `count` more `created` events of resolved alerts of the scenario's config. */
async function moreEvents(scenario: Awaited<ReturnType<typeof makeScenario>>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const alert = await makeAlert(notifier.db, scenario.organizationId, scenario.alertConfigId, { status: 'resolved', resolved_at: new Date() });
    ids.push((await makeAlertEvent(notifier.db, scenario.organizationId, alert.id)).id);
  }
  return ids;
}

describe('a backlog queued at once', () => {
  it('delivers 150 deliveries queued in one transaction within seconds', async () => {
    const scenario = await makeScenario(notifier.db, { type: 'webhook', url: `${hook.url}/deliveries` });
    const events = await moreEvents(scenario, 150);
    await notifier.db.transaction().execute(async (trx) => {
      const rows = await trx
        .insertInto('deliveries')
        .values(events.map((alertEventId) => ({ organization_id: scenario.organizationId, kind: 'event' as const, alert_event_id: alertEventId, channel_id: scenario.channelId })))
        .returning('id')
        .execute();
      for (const row of rows) await scheduleDeliveryAttempt(trx, notifier.boss, { organizationId: scenario.organizationId, deliveryId: row.id });
    });
    await hook.waitForRequests(150, 15_000);
    await waitFor('150 succeeded deliveries', async () => (await deliveriesOf(notifier.db, scenario.organizationId)).filter((d) => d.status === 'succeeded').length === 150, 10_000);
    expect(new Set(hook.requests.filter((r) => r.path === '/deliveries').map((r) => r.headers['webhook-id'])).size).toBe(150);
  });

  it('turns 100 alert events queued in one transaction into their deliveries within seconds', async () => {
    const scenario = await makeScenario(notifier.db, { type: 'webhook', url: `${hook.url}/events` });
    const events = await moreEvents(scenario, 100);
    await notifier.db.transaction().execute(async (trx) => {
      const jobs = events.map((alertEventId) => ({ data: { organizationId: scenario.organizationId, alertEventId } }));
      await notifier.boss.insert(alertEventQueue.name, jobs, { db: fromKysely(trx) });
    });
    await waitFor('100 deliveries', async () => (await deliveriesOf(notifier.db, scenario.organizationId)).length === 100, 15_000);
  });
});
