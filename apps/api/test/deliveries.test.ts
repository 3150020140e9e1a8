import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlert, makeAlertConfig, makeAlertEvent, makeChannel } from '@planekeeper/db/testing';
import type { DeliveryStatus } from '@planekeeper/db';
import { sql } from 'kysely';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

/** An event of a fresh alert, and a channel, of the organization (what the notifier delivers). */
async function eventAndChannel(organizationId: string) {
  const config = await makeAlertConfig(api.test.db, organizationId);
  const alert = await makeAlert(api.test.db, organizationId, config.id);
  const event = await makeAlertEvent(api.test.db, organizationId, alert.id);
  const channel = await makeChannel(api.test.db, organizationId);
  return { eventId: event.id, channelId: channel.id };
}

/** A delivery as the notifier leaves it, with `attempts` attempt rows (the last one's outcome per status). */
async function makeDelivery(organizationId: string, status: DeliveryStatus, refs: { eventId: string; channelId: string }, attempts = 1) {
  const delivery = await api.test.db
    .insertInto('deliveries')
    .values({
      organization_id: organizationId, alert_event_id: refs.eventId, channel_id: refs.channelId, status,
      attempts, budget_attempts: attempts, last_status_code: status === 'succeeded' ? 200 : 503, last_error: status === 'succeeded' ? null : 'HTTP 503 Service Unavailable',
      created_at: sql<Date>`clock_timestamp()`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (let i = 0; i < attempts; i++) {
    const last = i === attempts - 1;
    await api.test.db
      .insertInto('delivery_attempts')
      .values({
        organization_id: organizationId, delivery_id: delivery.id, attempted_at: new Date(Date.now() - (attempts - i) * 1000),
        outcome: last && status === 'succeeded' ? 'succeeded' : last && status === 'failed' ? 'permanent' : 'retry',
        status_code: last && status === 'succeeded' ? 200 : 503, error: last && status === 'succeeded' ? null : 'HTTP 503 Service Unavailable', latency_ms: 40 + i,
      })
      .execute();
  }
  return delivery;
}

async function deliverJobs(deliveryId: string) {
  const { rows } = await sql<{ id: string; data: unknown }>`SELECT id, data FROM pgboss.job WHERE name = 'notification.deliver' AND data->>'deliveryId' = ${deliveryId}`.execute(api.test.db);
  return rows;
}

describe('deliveries', () => {
  it('list newest first, filtered by status (dead: the dead-letter queue), channel and alert event', async () => {
    const a = await eventAndChannel(acme.organizationId);
    const b = await eventAndChannel(acme.organizationId);
    const dead = await makeDelivery(acme.organizationId, 'dead', a, 12);
    const succeeded = await makeDelivery(acme.organizationId, 'succeeded', { eventId: a.eventId, channelId: b.channelId });
    const failed = await makeDelivery(acme.organizationId, 'failed', b);
    const viewer = client(api.url, acme.keys.viewer);

    const all = await viewer.get('/api/v1/deliveries');
    expect(all.status).toBe(200);
    expect(all.body.items.map((d: { id: string }) => d.id)).toEqual([failed.id, succeeded.id, dead.id]);
    expect(all.body.items[2]).toEqual({
      id: dead.id, kind: 'event', alertEventId: a.eventId, channelId: a.channelId, status: 'dead', attempts: 12, lastStatusCode: 503,
      lastError: 'HTTP 503 Service Unavailable', nextAttemptAt: null, deliveredAt: null, replayedAt: null, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const ids = async (query: string) => (await viewer.get(`/api/v1/deliveries?${query}`)).body.items.map((d: { id: string }) => d.id);
    expect(await ids('status=dead')).toEqual([dead.id]);
    expect(await ids(`channelId=${b.channelId}`)).toEqual([failed.id, succeeded.id]);
    expect(await ids(`alertEventId=${a.eventId}`)).toEqual([succeeded.id, dead.id]);
    expect(await ids(`alertEventId=${a.eventId}&status=succeeded`)).toEqual([succeeded.id]);
    const page = await viewer.get('/api/v1/deliveries?limit=2');
    const rest = await viewer.get(`/api/v1/deliveries?limit=2&cursor=${page.body.nextCursor}`);
    expect([...page.body.items, ...rest.body.items].map((d: { id: string }) => d.id)).toEqual([failed.id, succeeded.id, dead.id]);
  });

  it('refuse bad filters with the field named', async () => {
    const viewer = client(api.url, acme.keys.viewer);
    const bad = await viewer.get('/api/v1/deliveries?status=lost&channelId=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.channelId', 'query.status']);
    expect((await viewer.get('/api/v1/deliveries/not-an-id')).status).toBe(400);
  });

  it('show a delivery with every attempt: time, status code, latency, error, outcome', async () => {
    const refs = await eventAndChannel(acme.organizationId);
    const delivery = await makeDelivery(acme.organizationId, 'failed', refs, 3);
    const answer = await client(api.url, acme.keys.viewer).get(`/api/v1/deliveries/${delivery.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: delivery.id, status: 'failed', attempts: 3 });
    expect(answer.body.attemptHistory).toEqual([
      { id: expect.any(String), deliveryId: delivery.id, attemptedAt: expect.any(String), outcome: 'retry', statusCode: 503, error: 'HTTP 503 Service Unavailable', latencyMs: 40 },
      expect.objectContaining({ outcome: 'retry', latencyMs: 41 }),
      expect.objectContaining({ outcome: 'permanent', statusCode: 503, latencyMs: 42 }),
    ]);
  });

  it('replay a dead or failed delivery: pending again, a fresh retry budget, history kept, same id, enqueued', async () => {
    const member = client(api.url, acme.keys.member);
    for (const status of ['dead', 'failed'] as const) {
      const delivery = await makeDelivery(acme.organizationId, status, await eventAndChannel(acme.organizationId), 4);
      const answer = await member.post(`/api/v1/deliveries/${delivery.id}/replay`);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ id: delivery.id, status: 'pending', attempts: 4, replayedAt: expect.any(String), nextAttemptAt: expect.any(String) });
      const stored = await api.test.db.selectFrom('deliveries').selectAll().where('id', '=', delivery.id).executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ status: 'pending', attempts: 4, budget_attempts: 0 });
      const jobs = await deliverJobs(delivery.id);
      expect(jobs).toEqual([{ id: stored.job_id, data: { organizationId: acme.organizationId, deliveryId: delivery.id } }]);
      expect((await member.get(`/api/v1/deliveries/${delivery.id}`)).body.attemptHistory).toHaveLength(4);
    }
  });

  it('refuse to replay a pending or succeeded delivery (409), or one whose channel is disabled', async () => {
    const member = client(api.url, acme.keys.member);
    const refs = await eventAndChannel(acme.organizationId);
    for (const status of ['pending', 'succeeded'] as const) {
      const delivery = await makeDelivery(acme.organizationId, status, { eventId: (await eventAndChannel(acme.organizationId)).eventId, channelId: refs.channelId });
      const answer = await member.post(`/api/v1/deliveries/${delivery.id}/replay`);
      expect(answer.status).toBe(409);
      expect(answer.body.error.message).toContain(`is ${status}`);
      expect(await deliverJobs(delivery.id)).toEqual([]);
    }
    const dead = await makeDelivery(acme.organizationId, 'dead', refs);
    await api.test.db.updateTable('notification_channels').set({ enabled: false, disabled_reason: 'the target answered 410 Gone' }).where('id', '=', refs.channelId).execute();
    const refused = await member.post(`/api/v1/deliveries/${dead.id}/replay`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/disabled \(the target answered 410 Gone\); enable it before replaying/);
    expect((await api.test.db.selectFrom('deliveries').select('status').where('id', '=', dead.id).executeTakeFirstOrThrow()).status).toBe('dead');
  });

  it('let a viewer read but not replay, and keep agent keys out', async () => {
    const dead = await makeDelivery(acme.organizationId, 'dead', await eventAndChannel(acme.organizationId));
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get(`/api/v1/deliveries/${dead.id}`)).status).toBe(200);
    expect((await viewer.post(`/api/v1/deliveries/${dead.id}/replay`)).status).toBe(403);
    expect((await client(api.url, acme.keys.agent).get('/api/v1/deliveries')).status).toBe(403);
    expect((await client(api.url).get('/api/v1/deliveries')).status).toBe(401);
    expect((await api.test.db.selectFrom('deliveries').select('status').where('id', '=', dead.id).executeTakeFirstOrThrow()).status).toBe('dead');
  });

  it("answer 404 for another organization's delivery and change nothing", async () => {
    const refs = await eventAndChannel(globex.organizationId);
    const theirs = await makeDelivery(globex.organizationId, 'dead', refs);
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/deliveries/${theirs.id}`)).status).toBe(404);
    expect((await ours.post(`/api/v1/deliveries/${theirs.id}/replay`)).status).toBe(404);
    expect((await ours.get(`/api/v1/deliveries?channelId=${refs.channelId}`)).body.items).toEqual([]);
    expect((await ours.get('/api/v1/deliveries?status=dead')).body.items.map((d: { id: string }) => d.id)).not.toContain(theirs.id);
    expect((await api.test.db.selectFrom('deliveries').select('status').where('id', '=', theirs.id).executeTakeFirstOrThrow()).status).toBe('dead');
    expect(await deliverJobs(theirs.id)).toEqual([]);
  });
});
