import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { trustedOrganizationId } from '@planekeeper/domain';
import { makeAlert, makeAlertConfig, makeAlertEvent } from '@planekeeper/db/testing';
import { sql } from 'kysely';
import { alertPageQuery } from '../src/db/alerts.queries.ts';
import { pageRequest } from '../src/http/pagination.ts';
import { client, makeTenant, queuedPayloads, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

async function openAlert(tenant: Tenant, overrides: Parameters<typeof makeAlert>[3] = {}) {
  const config = await makeAlertConfig(api.test.db, tenant.organizationId);
  return makeAlert(api.test.db, tenant.organizationId, config.id, overrides);
}

async function eventsOf(alertId: string) {
  return api.test.db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('created_at').orderBy('id').execute();
}

async function jobsFor(eventIds: string[]) {
  return (await queuedPayloads(api, 'alert.event')).filter((p) => eventIds.includes((p as { alertEventId: string }).alertEventId));
}

describe('alerts', () => {
  it('are shown with exactly the contract fields', async () => {
    const alert = await openAlert(acme, { severity: 'high', deployed_version: '1.2', latest_version: 'v1.8.0', behind_by: 6 });
    const answer = await client(api.url, acme.keys.viewer).get(`/api/v1/alerts/${alert.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      id: alert.id,
      alertConfigId: alert.alert_config_id,
      alertConfigName: 'kubernetes lag',
      ruleType: 'minors_behind',
      status: 'open',
      severity: 'high',
      deployedVersion: '1.2',
      latestVersion: 'v1.8.0',
      behindBy: 6,
      acknowledged: false,
      acknowledgedAt: null,
      acknowledgedBy: null,
      snooze: null,
      createdAt: alert.created_at.toISOString(),
      updatedAt: alert.updated_at.toISOString(),
      resolvedAt: null,
    });
  });

  it('are shown in a list exactly as on their own, every timestamp to the millisecond', async () => {
    const tenant = await makeTenant(api);
    const at = (text: string) => new Date(text);
    await openAlert(tenant, { created_at: at('2026-11-22T07:22:53.123Z'), updated_at: at('2026-11-22T08:00:00.000Z') });
    await openAlert(tenant, {
      status: 'resolved', created_at: at('2026-11-21T23:59:59.999Z'), updated_at: at('2026-11-22T00:00:00.5Z'), resolved_at: at('2026-11-22T00:00:00.5Z'),
      acknowledged_at: at('2026-11-21T23:59:59.999Z'), acknowledged_by: 'ops key',
    });
    const viewer = client(api.url, tenant.keys.viewer);
    const list = await viewer.get('/api/v1/alerts');
    expect(list.body.items).toHaveLength(2);
    for (const item of list.body.items) expect(item).toEqual((await viewer.get(`/api/v1/alerts/${item.id}`)).body);
    expect(list.body.items.map((a: { createdAt: string; resolvedAt: string | null; acknowledgedAt: string | null }) => [a.createdAt, a.resolvedAt, a.acknowledgedAt])).toEqual([
      ['2026-11-22T07:22:53.123Z', null, null],
      ['2026-11-21T23:59:59.999Z', '2026-11-22T00:00:00.500Z', '2026-11-21T23:59:59.999Z'],
    ]);
  });

  it('list newest first, filtered by status, severity and config, in cursor pages', async () => {
    const tenant = await makeTenant(api);
    const config = await makeAlertConfig(api.test.db, tenant.organizationId);
    const made = [];
    for (const [i, severity] of (['moderate', 'high', 'critical', 'high', 'moderate'] as const).entries()) {
      const resolved = i < 2;
      made.push(
        resolved
          ? await makeAlert(api.test.db, tenant.organizationId, config.id, { severity, status: 'resolved', resolved_at: new Date() })
          : await openAlert(tenant, { severity }),
      );
    }
    const ids = made.map((a) => a.id);
    const viewer = client(api.url, tenant.keys.viewer);
    const first = await viewer.get('/api/v1/alerts?limit=2');
    const second = await viewer.get(`/api/v1/alerts?limit=2&cursor=${first.body.nextCursor}`);
    const third = await viewer.get(`/api/v1/alerts?limit=2&cursor=${second.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items, ...third.body.items].map((a: { id: string }) => a.id)).toEqual([...ids].reverse());
    expect(third.body.nextCursor).toBeNull();

    const open = await viewer.get('/api/v1/alerts?status=open&limit=2');
    const openNext = await viewer.get(`/api/v1/alerts?status=open&limit=2&cursor=${open.body.nextCursor}`);
    expect([...open.body.items, ...openNext.body.items].map((a: { id: string }) => a.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect((await viewer.get('/api/v1/alerts?severity=high')).body.items.map((a: { id: string }) => a.id)).toEqual([ids[3], ids[1]]);
    expect((await viewer.get('/api/v1/alerts?status=resolved&severity=high')).body.items.map((a: { id: string }) => a.id)).toEqual([ids[1]]);
    expect((await viewer.get(`/api/v1/alerts?alertConfigId=${config.id}`)).body.items.map((a: { id: string }) => a.id)).toEqual([ids[1], ids[0]]);

    const bad = await viewer.get('/api/v1/alerts?status=closed&severity=low&alertConfigId=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['query.status', 'query.severity', 'query.alertConfigId']));
    expect((await viewer.get('/api/v1/alerts?cursor=forged')).status).toBe(400);
    expect((await viewer.get('/api/v1/alerts/not-a-uuid')).status).toBe(400);
  });

  it('are acknowledged once however often it is asked, with one event and one alert.event job', async () => {
    const alert = await openAlert(acme, { severity: 'critical' });
    const member = client(api.url, acme.keys.member);
    const first = await member.post(`/api/v1/alerts/${alert.id}/acknowledge`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: alert.id, acknowledged: true, acknowledgedBy: 'member key', acknowledgedAt: expect.any(String) });
    const again = await member.post(`/api/v1/alerts/${alert.id}/acknowledge`);
    expect(again.status).toBe(200);
    expect(again.body.acknowledgedAt).toBe(first.body.acknowledgedAt);
    const events = await eventsOf(alert.id);
    expect(events.map((e) => [e.type, e.severity, e.actor])).toEqual([['acknowledged', 'critical', 'member key']]);
    expect(await jobsFor(events.map((e) => e.id))).toEqual([{ organizationId: acme.organizationId, alertEventId: events[0]!.id }]);

    const withdrawn = await client(api.url, acme.keys.admin).post(`/api/v1/alerts/${alert.id}/unacknowledge`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ acknowledged: false, acknowledgedBy: null, acknowledgedAt: null });
    await client(api.url, acme.keys.admin).post(`/api/v1/alerts/${alert.id}/unacknowledge`);
    const after = await eventsOf(alert.id);
    expect(after.map((e) => [e.type, e.actor])).toEqual([['acknowledged', 'member key'], ['unacknowledged', 'admin key']]);
    expect(await jobsFor(after.map((e) => e.id))).toHaveLength(2);
  });

  it('are acknowledged exactly once when many ask at the same moment', async () => {
    const alert = await openAlert(acme);
    const member = client(api.url, acme.keys.member);
    const answers = await Promise.all(Array.from({ length: 8 }, () => member.post(`/api/v1/alerts/${alert.id}/acknowledge`)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect((await eventsOf(alert.id)).map((e) => e.type)).toEqual(['acknowledged']);
  });

  it('cannot be acknowledged once resolved (409), and nothing is written', async () => {
    const alert = await openAlert(acme, { status: 'resolved', resolved_at: new Date() });
    const member = client(api.url, acme.keys.member);
    for (const action of ['acknowledge', 'unacknowledge']) {
      const answer = await member.post(`/api/v1/alerts/${alert.id}/${action}`);
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('conflict');
    }
    expect(await eventsOf(alert.id)).toHaveLength(0);
  });

  it('list their events oldest first, in cursor pages, filtered by type', async () => {
    const alert = await openAlert(acme);
    const base = Date.now() - 60_000;
    const types = ['created', 'acknowledged', 'unacknowledged', 'escalated', 'acknowledged'] as const;
    const made = [];
    for (const [i, type] of types.entries()) {
      made.push(await makeAlertEvent(api.test.db, acme.organizationId, alert.id, { type, created_at: new Date(base + i * 1000) }));
    }
    const viewer = client(api.url, acme.keys.viewer);
    const first = await viewer.get(`/api/v1/alerts/${alert.id}/events?limit=3`);
    expect(first.status).toBe(200);
    const second = await viewer.get(`/api/v1/alerts/${alert.id}/events?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items].map((e: { id: string }) => e.id)).toEqual(made.map((e) => e.id));
    expect(first.body.items[0]).toEqual({
      id: made[0]!.id, alertId: alert.id, type: 'created', severity: 'moderate', deployedVersion: '1.2.0', latestVersion: '1.8.0', behindBy: 6, actor: null,
      createdAt: made[0]!.created_at.toISOString(),
    });
    const acks = await viewer.get(`/api/v1/alerts/${alert.id}/events?type=acknowledged`);
    expect(acks.body.items.map((e: { id: string }) => e.id)).toEqual([made[1]!.id, made[4]!.id]);
    expect((await viewer.get(`/api/v1/alerts/${alert.id}/events?type=closed`)).status).toBe(400);
  });

  it('let a viewer read but not acknowledge, and keep agent keys out', async () => {
    const alert = await openAlert(acme);
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get('/api/v1/alerts')).status).toBe(200);
    expect((await viewer.get(`/api/v1/alerts/${alert.id}/events`)).status).toBe(200);
    for (const action of ['acknowledge', 'unacknowledge']) {
      const answer = await viewer.post(`/api/v1/alerts/${alert.id}/${action}`);
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('forbidden');
    }
    expect((await client(api.url, acme.keys.agent).get('/api/v1/alerts')).status).toBe(403);
    expect((await client(api.url, acme.keys.agent).post(`/api/v1/alerts/${alert.id}/acknowledge`)).status).toBe(403);
    expect((await client(api.url).get('/api/v1/alerts')).status).toBe(401);
    expect(await eventsOf(alert.id)).toHaveLength(0);
  });

  it("answer 404 for another organization's alert and change nothing", async () => {
    const theirs = await openAlert(globex);
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/alerts/${theirs.id}`)).status).toBe(404);
    expect((await ours.get(`/api/v1/alerts/${theirs.id}/events`)).status).toBe(404);
    expect((await ours.post(`/api/v1/alerts/${theirs.id}/acknowledge`)).status).toBe(404);
    expect((await ours.post(`/api/v1/alerts/${theirs.id}/unacknowledge`)).status).toBe(404);
    expect((await ours.get(`/api/v1/alerts?alertConfigId=${theirs.alert_config_id}`)).body.items).toEqual([]);
    expect((await ours.get('/api/v1/alerts?limit=500')).body.items.map((a: { id: string }) => a.id)).not.toContain(theirs.id);
    expect((await client(api.url, globex.keys.admin).get(`/api/v1/alerts/${theirs.id}`)).body.acknowledged).toBe(false);
    expect(await eventsOf(theirs.id)).toHaveLength(0);
  });

  it('page through many alerts by walking an index, not by sorting them all', async () => {
    const tenant = await makeTenant(api);
    await sql`
      INSERT INTO alerts (organization_id, alert_config_id, alert_config_name, status, severity, rule_type, deployed_version,
                          latest_version, behind_by, created_at, resolved_at)
      SELECT ${tenant.organizationId}::uuid, NULL, 'bulk', CASE WHEN g % 10 = 0 THEN 'open' ELSE 'resolved' END, 'moderate',
             'minors_behind', '1.0', '1.5', 5, now() - g * interval '1 second', CASE WHEN g % 10 = 0 THEN NULL ELSE now() END
        FROM generate_series(1, 5000) g`.execute(api.test.db);
    await sql`ANALYZE alerts`.execute(api.test.db);
    const viewer = client(api.url, tenant.keys.viewer);
    const page = await viewer.get('/api/v1/alerts?status=resolved&limit=50');
    expect(page.body.items).toHaveLength(50);
    const next = await viewer.get(`/api/v1/alerts?status=resolved&limit=50&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0].createdAt < page.body.items[49].createdAt).toBe(true);
    for (const status of ['open', 'resolved', undefined] as const) {
      const compiled = alertPageQuery(api.test.db, trustedOrganizationId(tenant.organizationId), status ? { status } : {}, pageRequest({ limit: 50, cursor: next.body.nextCursor })).compile();
      const { rows } = await api.test.db.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `EXPLAIN ${compiled.sql}` });
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      // The keyset is an index condition (a seek), not a filter over the pages before it.
      expect(plan).toMatch(/Index Scan using alerts_org_(status|created) on alerts [^\n]*\n\s+Index Cond: \(\(organization_id = .*ROW\(created_at, id\) < ROW/s);
      expect(plan).not.toMatch(/Sort/);
      if (status === 'open') expect(plan).toMatch(/alerts_org_status/);
    }
  });
});
