import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlert, makeAlertEvent, makeChannel, makeOrganization } from '@planekeeper/db/testing';
import type { OrganizationId } from '@planekeeper/domain';
import { sql } from 'kysely';
import { deliveriesOf, makeScenario, newSecret, startNotifier, waitFor, type NotifierUnderTest } from './helpers/notifier.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';

// One receiver hangs (never answers within the test; the request timeout is far away), three
// answer at once. Every event goes to all four channels.
const EVENTS = 30;
const CHANNEL_CONCURRENCY = 2;
let notifier: NotifierUnderTest;
let fast: Receiver;
let hung: Receiver;
let open = 0;

beforeAll(async () => {
  notifier = await startNotifier({ NOTIFIER_REQUEST_TIMEOUT_SECONDS: '60', NOTIFIER_SLOW_RECEIVER_SECONDS: '0.3', NOTIFIER_CHANNEL_CONCURRENCY: String(CHANNEL_CONCURRENCY) });
  fast = await startReceiver(() => ({ status: 204 }));
  hung = await startReceiver(() => {
    open++;
    return 'hold';
  });
});
afterAll(async () => {
  await fast?.close();
  await hung?.close();
  await notifier?.stop();
});

async function channelWithRule(organizationId: OrganizationId, name: string, url: string): Promise<string> {
  const channel = await makeChannel(notifier.db, organizationId, { name, type: 'webhook', url, secret: newSecret() });
  await notifier.db
    .insertInto('notification_rules')
    .values({ organization_id: organizationId, name: `to ${name}`, channel_id: channel.id, events: ['created'], severities: ['moderate', 'high', 'critical'] })
    .execute();
  return channel.id;
}

describe('a hung receiver', () => {
  it('does not hold up the other channels, and gets only its share of attempts at a time', async () => {
    const organizationId = (await makeOrganization(notifier.db, 'fair-delivery')).id;
    // The scenario's own channel is the hung one; three fast channels beside it.
    const scenario = await makeScenario(notifier.db, { type: 'webhook', url: `${hung.url}/hung` }, { organizationId });
    await notifier.db.deleteFrom('notification_rules').where('organization_id', '=', organizationId).execute();
    const hungChannel = await channelWithRule(organizationId, 'hung', `${hung.url}/hung`);
    const fastChannels: string[] = [];
    for (const name of ['fast-1', 'fast-2', 'fast-3']) fastChannels.push(await channelWithRule(organizationId, name, `${fast.url}/${name}`));

    const events: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const alert = await makeAlert(notifier.db, organizationId, scenario.alertConfigId, { status: 'resolved', resolved_at: new Date() });
      events.push((await makeAlertEvent(notifier.db, organizationId, alert.id)).id);
    }
    for (const alertEventId of events) await notifier.sendAlertEvent({ organizationId, alertEventId });

    // Every fast delivery arrives and is recorded while the hung receiver still holds requests open.
    await fast.waitForRequests(EVENTS * fastChannels.length, 30_000);
    const succeeded = await waitFor('every fast delivery recorded succeeded', async () => {
      const rows = (await deliveriesOf(notifier.db, organizationId)).filter((d) => fastChannels.includes(d.channel_id) && d.status === 'succeeded');
      return rows.length === EVENTS * fastChannels.length ? rows : undefined;
    });
    expect(new Set(succeeded.map((d) => d.alert_event_id)).size).toBe(EVENTS);
    expect(open).toBeGreaterThan(0);
    expect(hung.requests.length).toBe(open);

    // The hung channel's deliveries are all still pending: none failed, none lost, and most were
    // never sent (they wait their turn at the channel's pace, with no attempt counted).
    const hungDeliveries = (await deliveriesOf(notifier.db, organizationId)).filter((d) => d.channel_id === hungChannel);
    expect(hungDeliveries).toHaveLength(EVENTS);
    expect(hungDeliveries.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
    // Sent at most: the batches under way when the channel showed itself slow (20 attempts at
    // once); then none, as its share (2) is taken by attempts that never end.
    expect(hung.requests.length).toBeLessThanOrEqual(20);
    expect(hung.requests.length).toBeLessThan(EVENTS);
    // Each pending delivery has exactly one job that may attempt it.
    const { rows: jobs } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM pgboss.job j JOIN deliveries d ON d.job_id = j.id
       WHERE d.channel_id = ${hungChannel} AND j.state IN ('created', 'retry', 'active')`.execute(notifier.db);
    expect(Number(jobs[0]!.n)).toBe(EVENTS);
  });
});
