import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scheduleDeliveryAttempt, sendJob } from '@planekeeper/db';
import { makeAlertEvent } from '@planekeeper/db/testing';
import { notificationDeliverQueue, type OrganizationId } from '@planekeeper/domain';
import { attemptsOf, deliveriesOf, jobsOf, makeScenario, settledDelivery, startNotifier, waitFor, type NotifierUnderTest } from './helpers/notifier.ts';
import { startReceiver, type Receiver, type Respond } from './helpers/receiver.ts';

let notifier: NotifierUnderTest;
const receivers: Receiver[] = [];

beforeAll(async () => {
  notifier = await startNotifier();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await notifier.stop();
});

async function receiver(respond: Respond): Promise<Receiver> {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
}

async function webhookScenario(respond: Respond) {
  const hook = await receiver(respond);
  const scenario = await makeScenario(notifier.db, { type: 'webhook', url: `${hook.url}/hook` });
  await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
  return { hook, scenario };
}

/** A replay as the api makes one (POST /deliveries/:id/replay): pending again with a fresh budget, an attempt enqueued. */
async function replay(organizationId: OrganizationId, deliveryId: string) {
  await notifier.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('deliveries')
      .set({ status: 'pending', budget_attempts: 0, replayed_at: new Date(), delivered_at: null })
      .where('organization_id', '=', organizationId)
      .where('id', '=', deliveryId)
      .execute();
    await scheduleDeliveryAttempt(trx, notifier.boss, { organizationId, deliveryId });
  });
}

describe('retries', () => {
  it('retries a receiver that fails 3 times, which then gets the delivery with one webhook-id', async () => {
    const { hook, scenario } = await webhookScenario((_request, index) => (index < 3 ? { status: 503, body: 'maintenance' } : { status: 200 }));
    const delivery = await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');
    const requests = await hook.waitForRequests(4);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    expect(requests.map((r) => r.body)).toEqual(Array(4).fill(requests[0]!.body));
    for (let i = 1; i < 4; i++) expect(requests[i]!.at - requests[i - 1]!.at).toBeGreaterThanOrEqual(900);
    expect(delivery).toMatchObject({ attempts: 4, last_status_code: 200, last_error: null, job_id: null, next_attempt_at: null });
    const attempts = await attemptsOf(notifier.db, delivery.id);
    expect(attempts.map((a) => [a.outcome, a.status_code])).toEqual([['retry', 503], ['retry', 503], ['retry', 503], ['succeeded', 200]]);
    expect(attempts[0]!.error).toBe('HTTP 503 Service Unavailable: maintenance');
    expect(attempts.every((a) => a.latency_ms >= 0)).toBe(true);
  });

  it('sends a receiver that always fails to the dead-letter queue; a replay gets a fresh budget and keeps the webhook-id', async () => {
    let healthy = false;
    const { hook, scenario } = await webhookScenario(() => (healthy ? { status: 204 } : { status: 500, body: 'boom' }));
    const dead = await settledDelivery(notifier.db, scenario.organizationId, 'dead');
    expect(dead).toMatchObject({ attempts: 4, budget_attempts: 4, last_status_code: 500, last_error: 'gave up after 4 attempts: HTTP 500 Internal Server Error: boom' });
    await waitFor('a dead letter', async () => (await jobsOf(notifier.db, 'notification.dead', dead.id)).length === 1);
    expect(hook.requests).toHaveLength(4);

    // Still failing: the replay is retried the whole budget again (4 attempts), not once.
    await replay(scenario.organizationId, dead.id);
    await hook.waitForRequests(5);
    const deadAgain = await settledDelivery(notifier.db, scenario.organizationId, 'dead');
    expect(deadAgain).toMatchObject({ attempts: 8, budget_attempts: 4, replayed_at: expect.any(Date) });
    expect(hook.requests).toHaveLength(8);

    healthy = true;
    await replay(scenario.organizationId, dead.id);
    const delivered = await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');
    expect(delivered).toMatchObject({ id: dead.id, attempts: 9, budget_attempts: 1, last_status_code: 204 });
    expect(new Set(hook.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([dead.id]));
    expect((await attemptsOf(notifier.db, dead.id)).map((a) => a.outcome)).toEqual([...Array(3).fill('retry'), 'retry', ...Array(4).fill('retry'), 'succeeded']);
  });

  it('waits out a 429 Retry-After', async () => {
    const { hook, scenario } = await webhookScenario((_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');
    const [first, second] = await hook.waitForRequests(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2000);
  });

  it("waits out Discord's JSON retry_after", async () => {
    const discord = await receiver((_request, index) =>
      index === 0 ? { status: 429, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'You are being rate limited.', retry_after: 1.6, global: false }) } : { status: 204 },
    );
    const scenario = await makeScenario(notifier.db, { type: 'discord', url: `${discord.url}/api/webhooks/1/t` });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');
    const [first, second] = await discord.waitForRequests(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2000);
  });

  it('gives up on a receiver that does not answer within the timeout, and retries', async () => {
    const { hook, scenario } = await webhookScenario((_request, index) => (index === 0 ? 'hold' : { status: 200 }));
    const delivered = await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');
    const [timedOut] = await attemptsOf(notifier.db, delivered.id);
    expect(timedOut).toMatchObject({ outcome: 'retry', status_code: null, error: expect.stringMatching(/Timeout awaiting 'request' for 2000ms/) });
    expect(timedOut!.latency_ms).toBeGreaterThanOrEqual(2000);
    expect(hook.requests).toHaveLength(2);
  });

  it('fails a 404 at once, leaving no retry queued', async () => {
    const { hook, scenario } = await webhookScenario(() => ({ status: 404, body: 'no such hook' }));
    const failed = await settledDelivery(notifier.db, scenario.organizationId, 'failed');
    expect(failed).toMatchObject({ attempts: 1, last_status_code: 404, last_error: 'HTTP 404 Not Found: no such hook', job_id: null });
    // The attempt is recorded before its job is completed: wait for the job, then nothing may remain.
    const jobs = await waitFor('the delivery job completed', async () => {
      const all = await jobsOf(notifier.db, notificationDeliverQueue.name, failed.id);
      return all.some((job) => job.state === 'active') ? undefined : all;
    });
    expect(jobs.filter((job) => job.state !== 'completed')).toEqual([]);
    expect(hook.requests).toHaveLength(1);
  });

  it('disables the channel on a 410 Gone, says why, and sends it nothing more', async () => {
    const { hook, scenario } = await webhookScenario(() => ({ status: 410 }));
    const failed = await settledDelivery(notifier.db, scenario.organizationId, 'failed');
    expect(failed.last_error).toMatch(/^HTTP 410 Gone: the target no longer exists; the channel was disabled/);
    const channel = await notifier.db.selectFrom('notification_channels').selectAll().where('id', '=', scenario.channelId).executeTakeFirstOrThrow();
    expect(channel.enabled).toBe(false);
    expect(channel.disabled_reason).toMatch(/410 Gone/);

    const later = await makeAlertEvent(notifier.db, scenario.organizationId, scenario.alertId, { type: 'escalated', severity: 'critical' });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: later.id });
    await waitFor('the event handled', async () => (await jobsOf(notifier.db, 'alert.event')).every((job) => job.state === 'completed'));
    expect(await deliveriesOf(notifier.db, scenario.organizationId)).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);
  });

  it('does not follow a redirect, even to an allowed address', async () => {
    const elsewhere = await receiver(() => ({ status: 200 }));
    const { scenario } = await webhookScenario(() => ({ status: 302, headers: { location: `${elsewhere.url}/stolen?token=abc` } }));
    const failed = await settledDelivery(notifier.db, scenario.organizationId, 'failed');
    expect(failed.last_error).toBe(`HTTP 302 Found: redirect to 127.0.0.1:${elsewhere.port} not followed (redirects are refused); use the final URL`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('makes no second delivery for a redelivered alert event, and never resends a succeeded delivery', async () => {
    const { hook, scenario } = await webhookScenario(() => ({ status: 200 }));
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    const delivered = await settledDelivery(notifier.db, scenario.organizationId, 'succeeded');
    await waitFor('both events handled', async () => (await jobsOf(notifier.db, 'alert.event')).every((job) => job.state === 'completed'));
    expect(await deliveriesOf(notifier.db, scenario.organizationId)).toHaveLength(1);

    const again = await sendJob(notifier.boss, null, notificationDeliverQueue, { organizationId: scenario.organizationId, deliveryId: delivered.id });
    await waitFor('the redelivered job done', async () => (await jobsOf(notifier.db, notificationDeliverQueue.name)).find((job) => job.id === again)?.state === 'completed');
    expect(hook.requests).toHaveLength(1);
  });

  it('delivers to the channels whose enabled rules list the event type and severity', async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const scenario = await makeScenario(notifier.db, { type: 'webhook', url: `${hook.url}/all` });
    const channel = (name: string, enabled = true) =>
      notifier.db.insertInto('notification_channels').values({ organization_id: scenario.organizationId, name, type: 'webhook', url: `${hook.url}/${name}`, secret: null, enabled }).returning('id').executeTakeFirstOrThrow();
    const rule = (channelId: string, events: Array<'created' | 'escalated'>, severities: Array<'moderate' | 'high' | 'critical'>, enabled = true) =>
      notifier.db.insertInto('notification_rules').values({ organization_id: scenario.organizationId, name: 'r', channel_id: channelId, events, severities, enabled }).execute();
    const escalationsOnly = await channel('escalations');
    await rule(escalationsOnly.id, ['escalated'], ['critical']);
    const moderateOnly = await channel('moderate');
    await rule(moderateOnly.id, ['created'], ['moderate']);
    const switchedOff = await channel('disabled-channel', false);
    await rule(switchedOff.id, ['created'], ['critical']);
    const ruleOff = await channel('disabled-rule');
    await rule(ruleOff.id, ['created'], ['critical'], false);
    const twice = await channel('twice');
    await rule(twice.id, ['created'], ['critical']);
    await rule(twice.id, ['created', 'escalated'], ['high', 'critical']);

    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    await hook.waitForRequests(2);
    await waitFor('deliveries settled', async () => (await deliveriesOf(notifier.db, scenario.organizationId)).every((d) => d.status === 'succeeded'));
    const deliveries = await deliveriesOf(notifier.db, scenario.organizationId);
    expect(deliveries.map((d) => d.channel_id).sort()).toEqual([scenario.channelId, twice.id].sort());
    expect(hook.requests.map((r) => r.path).sort()).toEqual(['/all', '/twice']);
  });

  it('exposes deliveries by channel type and outcome, attempt latency and the dead-letter depth', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${notifier.service.port}/metrics`)).text();
    expect(metrics).toMatch(/planekeeper_deliveries_total\{channel_type="webhook",outcome="succeeded",service="notifier"\} \d+/);
    expect(metrics).toMatch(/planekeeper_deliveries_total\{channel_type="webhook",outcome="retry",service="notifier"\} \d+/);
    expect(metrics).toMatch(/planekeeper_deliveries_total\{channel_type="webhook",outcome="gone",service="notifier"\} 1/);
    expect(metrics).toMatch(/planekeeper_delivery_attempt_duration_seconds_count\{service="notifier",channel_type="discord"\} 2/);
    expect(metrics).toContain('planekeeper_deliveries_dead{service="notifier"} 0');

    // The depth is read from the database on each scrape, whichever replica made them dead.
    const scenario = await makeScenario(notifier.db, { type: 'slack', url: 'https://hooks.slack.com/services/x' });
    await notifier.db.insertInto('deliveries').values([1, 2].map(() => ({ organization_id: scenario.organizationId, kind: 'test' as const, channel_id: scenario.channelId, status: 'dead' as const }))).execute();
    const later = await (await fetch(`http://127.0.0.1:${notifier.service.port}/metrics`)).text();
    expect(later).toContain('planekeeper_deliveries_dead{service="notifier"} 2');
    const ready = await fetch(`http://127.0.0.1:${notifier.service.port}/readyz`);
    expect(ready.status).toBe(200);
  });
});
