import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlert, makeAlertConfig, makeGatherJob, makeRule, makeScrapeJob } from '@planekeeper/db/testing';
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

/** A gather job, scrape job and rule of `tenant`, as an alert config body. */
async function parts(tenant: Tenant, name = 'kubernetes lag') {
  const { db } = api.test;
  const gatherJob = await makeGatherJob(db, tenant.organizationId);
  const scrapeJob = await makeScrapeJob(db, tenant.organizationId);
  const rule = await makeRule(db, tenant.organizationId);
  return { name, gatherJobId: gatherJob.id, scrapeJobId: scrapeJob.id, ruleId: rule.id };
}

async function evaluationsQueued(alertConfigId: string) {
  return (await queuedPayloads(api, 'evaluate')).filter((p) => (p as { target: { alertConfigId?: string } }).target.alertConfigId === alertConfigId);
}

async function alertEventsOf(alertId: string) {
  return api.test.db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('created_at').execute();
}

describe('alert configs', () => {
  it('are created, read, updated and deleted by a member; create and update ask for an evaluation', async () => {
    const member = client(api.url, acme.keys.member);
    const body = await parts(acme);
    const created = await member.post('/api/v1/alert-configs', body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...body, id: expect.any(String), enabled: true, skipVersions: [], eolGatherJobId: null, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const id = created.body.id as string;
    expect(await evaluationsQueued(id)).toEqual([{ organizationId: acme.organizationId, reason: 'alert_config_changed', target: { alertConfigId: id } }]);

    expect((await member.get(`/api/v1/alert-configs/${id}`)).body).toEqual(created.body);
    const other = await parts(acme);
    const updated = await member.patch(`/api/v1/alert-configs/${id}`, { name: 'renamed', ruleId: other.ruleId });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, name: 'renamed', ruleId: other.ruleId, gatherJobId: body.gatherJobId });
    expect(await evaluationsQueued(id)).toHaveLength(2);

    expect((await member.delete(`/api/v1/alert-configs/${id}`)).status).toBe(204);
    expect((await member.get(`/api/v1/alert-configs/${id}`)).status).toBe(404);
    expect((await member.delete(`/api/v1/alert-configs/${id}`)).status).toBe(404);
  });

  it('created disabled are not evaluated until enabled', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/alert-configs', { ...(await parts(acme)), enabled: false });
    expect(created.body.enabled).toBe(false);
    expect(await evaluationsQueued(created.body.id)).toHaveLength(0);
    await member.patch(`/api/v1/alert-configs/${created.body.id}`, { enabled: true });
    expect(await evaluationsQueued(created.body.id)).toHaveLength(1);
  });

  it('list newest first, filtered by gather job, scrape job, rule and enabled, in cursor pages', async () => {
    const tenant = await makeTenant(api);
    const admin = client(api.url, tenant.keys.admin);
    const shared = await parts(tenant);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const own = await parts(tenant);
      const body = i < 3 ? { ...own, gatherJobId: shared.gatherJobId, ruleId: shared.ruleId } : own;
      ids.push((await admin.post('/api/v1/alert-configs', { ...body, name: `config ${i}`, enabled: i !== 1 })).body.id);
    }
    const first = await admin.get('/api/v1/alert-configs?limit=2');
    const second = await admin.get(`/api/v1/alert-configs?limit=2&cursor=${first.body.nextCursor}`);
    const third = await admin.get(`/api/v1/alert-configs?limit=2&cursor=${second.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items, ...third.body.items].map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    expect(third.body.nextCursor).toBeNull();

    const byGather = await admin.get(`/api/v1/alert-configs?gatherJobId=${shared.gatherJobId}`);
    expect(byGather.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1], ids[0]]);
    const byRuleEnabled = await admin.get(`/api/v1/alert-configs?ruleId=${shared.ruleId}&enabled=true`);
    expect(byRuleEnabled.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[0]]);
    const disabled = await admin.get('/api/v1/alert-configs?enabled=false');
    expect(disabled.body.items.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
    const scrapeJobId = (await admin.get(`/api/v1/alert-configs/${ids[4]}`)).body.scrapeJobId;
    expect((await admin.get(`/api/v1/alert-configs?scrapeJobId=${scrapeJobId}`)).body.items.map((c: { id: string }) => c.id)).toEqual([ids[4]]);

    const bad = await admin.get('/api/v1/alert-configs?enabled=maybe&gatherJobId=nope&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['query.enabled', 'query.gatherJobId', 'query.limit']));
  });

  it('refuse bodies with missing, malformed or unknown fields, naming them', async () => {
    const member = client(api.url, acme.keys.member);
    const missing = await member.post('/api/v1/alert-configs', { name: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['gatherJobId', 'scrapeJobId', 'ruleId']));
    const malformed = await member.post('/api/v1/alert-configs', { ...(await parts(acme)), ruleId: 'rule-1', enabled: 'yes', colour: 'red' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['ruleId', 'enabled', 'colour']));
    const id = (await member.post('/api/v1/alert-configs', await parts(acme))).body.id;
    const patch = await member.patch(`/api/v1/alert-configs/${id}`, { name: '' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    expect((await member.patch('/api/v1/alert-configs/not-a-uuid', { name: 'x' })).status).toBe(400);
  });

  it("refuse another organization's gather job, scrape job or rule like ids that do not exist (400 naming the field)", async () => {
    const member = client(api.url, acme.keys.member);
    const theirs = await parts(globex);
    const before = await api.test.db.selectFrom('alert_configs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const answer = await member.post('/api/v1/alert-configs', { ...(await parts(acme)), gatherJobId: theirs.gatherJobId, ruleId: theirs.ruleId });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.details).toEqual([
      { path: 'gatherJobId', message: `gather job ${theirs.gatherJobId} not found` },
      { path: 'ruleId', message: `rule ${theirs.ruleId} not found` },
    ]);
    const unknown = await member.post('/api/v1/alert-configs', { ...(await parts(acme)), scrapeJobId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.body.error.details).toEqual([{ path: 'scrapeJobId', message: 'scrape job 00000000-0000-4000-8000-000000000000 not found' }]);
    const after = await api.test.db.selectFrom('alert_configs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    const id = (await member.post('/api/v1/alert-configs', await parts(acme))).body.id;
    const patch = await member.patch(`/api/v1/alert-configs/${id}`, { scrapeJobId: theirs.scrapeJobId });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details).toEqual([{ path: 'scrapeJobId', message: `scrape job ${theirs.scrapeJobId} not found` }]);
    expect((await member.get(`/api/v1/alert-configs/${id}`)).body.scrapeJobId).not.toBe(theirs.scrapeJobId);
  });

  it('resolve the open alert when disabled, carrying its last severity, with its event and alert.event job', async () => {
    const { db } = api.test;
    const config = await makeAlertConfig(db, acme.organizationId);
    const alert = await makeAlert(db, acme.organizationId, config.id, { severity: 'high' });
    const member = client(api.url, acme.keys.member);
    const answer = await member.patch(`/api/v1/alert-configs/${config.id}`, { enabled: false });
    expect(answer.status).toBe(200);
    expect(answer.body.enabled).toBe(false);
    const stored = await db.selectFrom('alerts').selectAll().where('id', '=', alert.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'resolved', severity: 'high', resolved_at: expect.any(Date) });
    const events = await alertEventsOf(alert.id);
    expect(events.map((e) => [e.type, e.severity])).toEqual([['resolved', 'high']]);
    expect(await queuedPayloads(api, 'alert.event')).toContainEqual({ organizationId: acme.organizationId, alertEventId: events[0]!.id });
    expect(await evaluationsQueued(config.id)).toHaveLength(0);

    // Disabling again changes nothing more.
    await member.patch(`/api/v1/alert-configs/${config.id}`, { enabled: false });
    expect(await alertEventsOf(alert.id)).toHaveLength(1);
    // Enabling asks for an evaluation.
    await member.patch(`/api/v1/alert-configs/${config.id}`, { enabled: true });
    expect(await evaluationsQueued(config.id)).toHaveLength(1);
  });

  it('resolve the open alert when deleted; the alerts keep their history and the config name', async () => {
    const { db } = api.test;
    const config = await makeAlertConfig(db, acme.organizationId, { name: 'postgres lag' });
    const old = await makeAlert(db, acme.organizationId, config.id, { status: 'resolved', resolved_at: new Date(), alert_config_name: 'postgres lag' });
    const open = await makeAlert(db, acme.organizationId, config.id, { severity: 'critical', alert_config_name: 'postgres lag' });
    const member = client(api.url, acme.keys.member);
    await member.patch(`/api/v1/alert-configs/${config.id}`, { name: 'postgres drift' });
    expect((await member.delete(`/api/v1/alert-configs/${config.id}`)).status).toBe(204);

    const alert = await member.get(`/api/v1/alerts/${open.id}`);
    expect(alert.status).toBe(200);
    expect(alert.body).toMatchObject({ alertConfigId: null, alertConfigName: 'postgres drift', status: 'resolved', severity: 'critical' });
    expect((await member.get(`/api/v1/alerts/${old.id}`)).body).toMatchObject({ alertConfigId: null, status: 'resolved' });
    const events = await member.get(`/api/v1/alerts/${open.id}/events`);
    expect(events.body.items.map((e: { type: string; severity: string }) => [e.type, e.severity])).toEqual([['resolved', 'critical']]);
    expect(await queuedPayloads(api, 'alert.event')).toContainEqual({ organizationId: acme.organizationId, alertEventId: events.body.items[0].id });
  });

  it('let a viewer read but not write, and keep agent keys out', async () => {
    const config = await makeAlertConfig(api.test.db, acme.organizationId);
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get('/api/v1/alert-configs')).status).toBe(200);
    expect((await viewer.get(`/api/v1/alert-configs/${config.id}`)).status).toBe(200);
    for (const answer of [
      await viewer.post('/api/v1/alert-configs', await parts(acme)),
      await viewer.patch(`/api/v1/alert-configs/${config.id}`, { enabled: false }),
      await viewer.delete(`/api/v1/alert-configs/${config.id}`),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('forbidden');
    }
    expect((await client(api.url, acme.keys.agent).get('/api/v1/alert-configs')).status).toBe(403);
    expect((await client(api.url).get('/api/v1/alert-configs')).status).toBe(401);
    expect((await viewer.get(`/api/v1/alert-configs/${config.id}`)).body.enabled).toBe(true);
  });

  it("answer 404 for another organization's config and change nothing", async () => {
    const theirs = await makeAlertConfig(api.test.db, globex.organizationId, { name: 'theirs' });
    const alert = await makeAlert(api.test.db, globex.organizationId, theirs.id);
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/alert-configs/${theirs.id}`)).status).toBe(404);
    expect((await ours.patch(`/api/v1/alert-configs/${theirs.id}`, { enabled: false })).status).toBe(404);
    expect((await ours.delete(`/api/v1/alert-configs/${theirs.id}`)).status).toBe(404);
    expect((await ours.get(`/api/v1/alert-configs?gatherJobId=${theirs.gather_job_id}`)).body.items).toEqual([]);
    expect((await client(api.url, globex.keys.admin).get(`/api/v1/alert-configs/${theirs.id}`)).body).toMatchObject({ name: 'theirs', enabled: true });
    expect((await client(api.url, globex.keys.admin).get(`/api/v1/alerts/${alert.id}`)).body.status).toBe('open');
    expect(await alertEventsOf(alert.id)).toHaveLength(0);
  });
});
