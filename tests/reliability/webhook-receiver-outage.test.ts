/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFaultReceiver, type FaultReceiver } from '../support/fault-receiver.ts';
import { startQueueSupervisor, type QueueSupervisor } from '../support/queue-supervisor.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';
import { verifyStandardWebhook } from '../support/webhook-receiver.ts';
import { alertConfig, gatherJobWithReleases, manualScrapeJob, minorsRule, protocolAgent, releasesIngested, webhookChannel } from './scenario.ts';

// One alert event, two webhook channels: one receiver is down for a while (503, then connection
// refused) and comes back; the other is down for good until its delivery is dead, and comes back
// only for the replay. Retries: base 0.5 s doubling, 4 retries (5 attempts, ~8 s to dead).

let stack: Stack;
let flaky: FaultReceiver;
let gone: FaultReceiver;
let queues: QueueSupervisor;
let flakyChannel: { channelId: string; secret: string };
let goneChannel: { channelId: string; secret: string };
let alertEventId: string;

beforeAll(async () => {
  [flaky, gone] = await Promise.all([startFaultReceiver(), startFaultReceiver()]);
  stack = await startStack({ env: { NOTIFIER_RETRY_LIMIT: '4', NOTIFIER_RETRY_BASE_SECONDS: '0.5', NOTIFIER_POLL_INTERVAL_SECONDS: '0.5' } });
  queues = await startQueueSupervisor(stack.url);
}, 90_000);

afterAll(async () => {
  await queues?.stop();
  await stack?.stop();
  await Promise.all([flaky?.close(), gone?.close()]);
});

async function deliveryOf(channelId: string): Promise<any> {
  const list = await stack.call('GET', `/api/v1/deliveries?channelId=${channelId}`);
  expect(list.status).toBe(200);
  return list.body.items[0];
}

describe('a webhook receiver that is down', () => {
  it('for a while (503, then connection refused): the delivery arrives when it is back, with one webhook-id throughout', async () => {
    flaky.mode = 503;
    await gone.down();
    flakyChannel = await webhookChannel(stack, 'flaky receiver', flaky.url);
    goneChannel = await webhookChannel(stack, 'gone receiver', gone.url);
    const { agent } = await protocolAgent(stack, 'outage-agent');
    const { jobId } = await gatherJobWithReleases(stack, agent, 'widget', ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0']);
    await releasesIngested(stack, jobId, 4);
    const scrapeJobId = await manualScrapeJob(stack, 'widget deployed', '1.0.0');
    const configId = await alertConfig(stack, 'widget lag', jobId, scrapeJobId, await minorsRule(stack));

    // Two 503s, then the receiver's host goes away (connection refused) ...
    await eventually('two 503 answers', async () => (flaky.arrivals.length >= 2 ? true : undefined), 20_000);
    await flaky.down();
    const first = await deliveryOf(flakyChannel.channelId);
    alertEventId = first.alertEventId;
    await eventually('an attempt refused at the TCP level', async () => {
      const detail = await stack.call('GET', `/api/v1/deliveries/${first.id}`);
      return detail.body.attemptHistory.some((a: any) => a.statusCode === null) ? true : undefined;
    }, 20_000);
    // ... and comes back.
    flaky.mode = 204;
    await flaky.up();
    const delivered = await eventually('the flaky delivery succeeded', async () => {
      const delivery = await deliveryOf(flakyChannel.channelId);
      return delivery.status === 'succeeded' ? delivery : undefined;
    }, 30_000);

    expect(new Set(flaky.arrivals.map((a) => a.webhookId))).toEqual(new Set([delivered.id]));
    expect(flaky.deliveredIds()).toEqual(new Set([delivered.id]));
    for (const arrival of flaky.arrivals) expect(verifyStandardWebhook(flakyChannel.secret, arrival.headers, arrival.body)).toBe(true);
    expect(flaky.arrivals.at(-1)!.json).toMatchObject({ type: 'alert.created', data: { alertConfig: { id: configId } } });
    const history = (await stack.call('GET', `/api/v1/deliveries/${delivered.id}`)).body.attemptHistory.map((a: any) => a.statusCode);
    expect(history.slice(0, 2)).toEqual([503, 503]);
    expect(history.at(-1)).toBe(204);
    expect(history).toContain(null);
    console.log(`[reliability] receiver down for a while: ${history.length} attempts (${history.map((s: number | null) => s ?? 'refused').join(', ')}), ` +
      `${flaky.arrivals.length} arrivals, 1 webhook-id, delivered`);
  }, 60_000);

  it('for good: the delivery ends dead, is listed as such, and a replay delivers it with the same webhook-id', async () => {
    const dead = await eventually('the delivery to the gone receiver dead', async () => {
      const delivery = await deliveryOf(goneChannel.channelId);
      return delivery?.status === 'dead' ? delivery : undefined;
    }, 40_000);
    expect(dead).toMatchObject({ alertEventId, attempts: 5, lastStatusCode: null });
    expect(gone.arrivals).toHaveLength(0);
    const deadList = await stack.call('GET', '/api/v1/deliveries?status=dead');
    expect(deadList.body.items.map((d: any) => d.id)).toEqual([dead.id]);
    expect(await queues.jobs('notification.dead', { field: 'deliveryId', value: dead.id })).toHaveLength(1);
    // Dead stays dead: nothing is attempted while nobody replays it.
    expect((await stack.call('GET', `/api/v1/deliveries/${dead.id}`)).body.attemptHistory).toHaveLength(5);

    await gone.up();
    const replay = await stack.call('POST', `/api/v1/deliveries/${dead.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: dead.id, status: 'pending' });
    const replayed = await eventually('the replayed delivery succeeded', async () => {
      const delivery = await deliveryOf(goneChannel.channelId);
      return delivery.status === 'succeeded' ? delivery : undefined;
    }, 20_000);
    expect(replayed.replayedAt).not.toBeNull();
    expect(gone.arrivals).toHaveLength(1);
    expect(gone.arrivals[0]!.webhookId).toBe(dead.id);
    expect(verifyStandardWebhook(goneChannel.secret, gone.arrivals[0]!.headers, gone.arrivals[0]!.body)).toBe(true);
    expect(gone.arrivals[0]!.json).toMatchObject({ type: 'alert.created' });
    expect((await stack.call('GET', '/api/v1/deliveries?status=dead')).body.items).toEqual([]);
    // A delivered one is not sent again by a second replay.
    expect((await stack.call('POST', `/api/v1/deliveries/${dead.id}/replay`)).status).toBe(409);
    // One event, one delivery per channel: nothing was duplicated along the way.
    const rows = await stack.db.selectFrom('deliveries').select(['id', 'channel_id', 'status']).where('alert_event_id', '=', alertEventId).execute();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
    console.log(`[reliability] receiver down for good: dead after ${dead.attempts} attempts, listed by ?status=dead, replayed once, delivered with webhook-id ${dead.id}`);
  }, 60_000);
});
