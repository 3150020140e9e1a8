import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob, makeRule, makeScrapeJob } from '@planekeeper/db/testing';
import { client, makeTenant, queuedPayloads, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

// Issue 19 through the API: skipped releases on alert configs and gather jobs, libyear rules.

let api: ApiUnderTest;
let acme: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
});
afterAll(() => api.stop());

async function parts() {
  const { db } = api.test;
  const gatherJob = await makeGatherJob(db, acme.organizationId);
  const scrapeJob = await makeScrapeJob(db, acme.organizationId);
  const rule = await makeRule(db, acme.organizationId);
  return { name: 'api lag', gatherJobId: gatherJob.id, scrapeJobId: scrapeJob.id, ruleId: rule.id };
}

describe('skipVersions', () => {
  it('are stored on an alert config, returned, and changing them re-evaluates it', async () => {
    const member = client(api.url, acme.keys.member);
    const skipVersions = [{ versions: '2.5.0', reason: 'broken migration' }, { versions: '>=3.0.0 <3.0.2', reason: '' }];
    const created = await member.post('/api/v1/alert-configs', { ...(await parts()), skipVersions });
    expect(created.status).toBe(201);
    expect(created.body.skipVersions).toEqual(skipVersions);
    const id = created.body.id as string;
    const changed = await member.patch(`/api/v1/alert-configs/${id}`, { skipVersions: [] });
    expect(changed.body.skipVersions).toEqual([]);
    const queued = (await queuedPayloads(api, 'evaluate')).filter((p) => (p as { target: { alertConfigId?: string } }).target.alertConfigId === id);
    expect(queued).toHaveLength(2);
  });

  it('a range that does not parse is 400 naming the field, on create and update', async () => {
    const member = client(api.url, acme.keys.member);
    const bad = await member.post('/api/v1/alert-configs', { ...(await parts()), skipVersions: [{ versions: '^3.0.0', reason: 'x' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details).toEqual([{ path: 'skipVersions.0.versions', message: expect.stringContaining('"^3.0.0" is not a version') }]);
    const created = await member.post('/api/v1/alert-configs', await parts());
    const patched = await member.patch(`/api/v1/alert-configs/${created.body.id}`, { skipVersions: [{ versions: '1.2', reason: '' }, { versions: '>=1 <2', reason: '' }] });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.map((d: { path: string }) => d.path)).toEqual(['skipVersions.1.versions']);
  });

  it('are stored on a gather job for everyone using it; a change re-evaluates its configs', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/gather-jobs', {
      name: 'kubernetes', sourceType: 'github_release', source: { owner: 'kubernetes', repo: 'kubernetes' }, schedule: '0 * * * *',
      skipVersions: [{ versions: '1.30.0', reason: 'etcd bug' }],
    });
    expect(created.status).toBe(201);
    expect(created.body.skipVersions).toEqual([{ versions: '1.30.0', reason: 'etcd bug' }]);
    const id = created.body.id as string;
    const patched = await member.patch(`/api/v1/gather-jobs/${id}`, { skipVersions: [{ versions: '>=1.31.0 <1.31.2', reason: 'regression' }] });
    expect(patched.status).toBe(200);
    expect((await member.get(`/api/v1/gather-jobs/${id}`)).body.skipVersions).toEqual([{ versions: '>=1.31.0 <1.31.2', reason: 'regression' }]);
    const queued = (await queuedPayloads(api, 'evaluate')).filter((p) => (p as { target: { gatherJobId?: string } }).target.gatherJobId === id);
    expect(queued).toHaveLength(1);
    const bad = await member.patch(`/api/v1/gather-jobs/${id}`, { skipVersions: [{ versions: 'latest', reason: '' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('skipVersions.0.versions');
  });
});

describe('libyear rules', () => {
  it('take thresholds in years, fractions allowed; out of order or zero is 400', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/rules', { name: 'libyear', type: 'libyear', moderate: 0.5, high: 1, critical: 2.5 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'libyear', moderate: 0.5, high: 1, critical: 2.5 });
    const patched = await member.patch(`/api/v1/rules/${created.body.id}`, { moderate: 0.25 });
    expect(patched.status).toBe(200);
    expect(patched.body.moderate).toBe(0.25);
    const zero = await member.post('/api/v1/rules', { name: 'libyear', type: 'libyear', moderate: 0, high: 1, critical: 2 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.details).toEqual([{ path: 'moderate', message: 'moderate must be above 0 (years)' }]);
    const tooHigh = await member.patch(`/api/v1/rules/${created.body.id}`, { high: 5 });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.error.details[0].path).toBe('critical');
    const days = await member.post('/api/v1/rules', { name: 'age', type: 'days_behind', moderate: 1, high: 2, critical: 3 });
    const fractional = await member.patch(`/api/v1/rules/${days.body.id}`, { moderate: 1.5 });
    expect(fractional.status).toBe(400);
    expect(fractional.body.error.details).toEqual([{ path: 'moderate', message: 'moderate must be an integer' }]);
  });
});

describe('eol rules and eolGatherJobId', () => {
  it('an eol rule takes days left that run downwards; an alert config links only an endoflife job of its organization', async () => {
    const member = client(api.url, acme.keys.member);
    const rule = await member.post('/api/v1/rules', { name: 'eol', type: 'eol', moderate: 90, high: 30, critical: 0 });
    expect(rule.status).toBe(201);
    const upwards = await member.patch(`/api/v1/rules/${rule.body.id}`, { critical: 60 });
    expect(upwards.status).toBe(400);
    expect(upwards.body.error.details[0]).toEqual({ path: 'critical', message: expect.stringContaining('critical must be at most high (30)') });

    const body = await parts();
    const github = await member.post('/api/v1/alert-configs', { ...body, eolGatherJobId: body.gatherJobId });
    expect(github.status).toBe(400);
    expect(github.body.error.details).toEqual([{ path: 'eolGatherJobId', message: 'must be an endoflife gather job (this one is github_release)' }]);
    const eolJob = await member.post('/api/v1/gather-jobs', { name: 'k8s cycles', sourceType: 'endoflife', source: { product: 'kubernetes' }, schedule: '0 0 * * *' });
    const linked = await member.post('/api/v1/alert-configs', { ...body, ruleId: rule.body.id, eolGatherJobId: eolJob.body.id });
    expect(linked.status).toBe(201);
    expect(linked.body.eolGatherJobId).toBe(eolJob.body.id);
    const inUse = await member.delete(`/api/v1/gather-jobs/${eolJob.body.id}`);
    expect(inUse.status).toBe(409);
    const cleared = await member.patch(`/api/v1/alert-configs/${linked.body.id}`, { eolGatherJobId: null });
    expect(cleared.body.eolGatherJobId).toBeNull();
  });
});

describe('snooze', () => {
  async function openAlert() {
    const { db } = api.test;
    const body = await parts();
    const member = client(api.url, acme.keys.member);
    const config = await member.post('/api/v1/alert-configs', body);
    const alert = await db
      .insertInto('alerts')
      .values({ organization_id: acme.organizationId, alert_config_id: config.body.id, alert_config_name: 'api lag', status: 'open', severity: 'moderate', rule_type: 'minors_behind', deployed_version: '1.2.0', latest_version: '1.4.0', behind_by: 2 })
      .returning('id')
      .executeTakeFirstOrThrow();
    return alert.id;
  }

  it('an open alert is snoozed until a time, showing who, until when and why, with a snoozed event; unsnoozed after', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await openAlert();
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const snoozed = await member.post(`/api/v1/alerts/${id}/snooze`, { until, reason: 'maintenance window' });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.snooze).toEqual({ snoozedAt: expect.any(String), until, untilLatestChanges: false, latestVersion: null, snoozedBy: expect.any(String), reason: 'maintenance window' });
    const listed = await member.get(`/api/v1/alerts?status=open&alertConfigId=${snoozed.body.alertConfigId}`);
    expect(listed.body.items[0].snooze).toMatchObject({ until, reason: 'maintenance window' });
    const byLatest = await member.post(`/api/v1/alerts/${id}/snooze`, { untilLatestChanges: true });
    expect(byLatest.body.snooze).toMatchObject({ until: null, untilLatestChanges: true, latestVersion: '1.4.0', reason: null });
    const unsnoozed = await member.post(`/api/v1/alerts/${id}/unsnooze`);
    expect(unsnoozed.body.snooze).toBeNull();
    const events = await member.get(`/api/v1/alerts/${id}/events`);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['snoozed', 'snoozed', 'unsnoozed']);
    expect((await queuedPayloads(api, 'alert.event')).length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['a time in the past', { until: new Date(Date.now() - 60_000).toISOString() }, 'until', /future/],
    ['more than a year ahead', { until: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 'until', /a year/],
    ['neither a time nor untilLatestChanges', { reason: 'x' }, 'until', /untilLatestChanges/],
    ['both', { until: new Date(Date.now() + 60_000).toISOString(), untilLatestChanges: true }, 'untilLatestChanges', /not both/],
    ['a time that is not one', { until: 'tomorrow' }, 'until', /ISO 8601/],
  ])('a snooze with %s is 400 naming the field', async (_name, body, path, message) => {
    const member = client(api.url, acme.keys.member);
    const answer = await member.post(`/api/v1/alerts/${await openAlert()}/snooze`, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('snoozed and unsnoozed can be chosen in notification rules', async () => {
    const admin = client(api.url, acme.keys.admin);
    const channel = await admin.post('/api/v1/notification-channels', { name: 'hook', type: 'webhook', url: 'https://hooks.example.test/x' });
    const rule = await admin.post('/api/v1/notification-rules', { name: 'snoozes', channelId: channel.body.id, events: ['snoozed', 'unsnoozed'], severities: ['moderate', 'high', 'critical'] });
    expect(rule.status).toBe(201);
    expect(rule.body.events).toEqual(['snoozed', 'unsnoozed']);
  });
});

describe('upstreams', () => {
  it('group an organization\'s alert configs by gather job; another organization\'s job is 404; bad filters are 400', async () => {
    const viewer = client(api.url, acme.keys.viewer);
    const body = await parts();
    const member = client(api.url, acme.keys.member);
    await member.post('/api/v1/alert-configs', { ...body, name: 'fleet one' });
    await member.post('/api/v1/alert-configs', { ...body, name: 'fleet two' });
    const view = await viewer.get(`/api/v1/upstreams/${body.gatherJobId}`);
    expect(view.status).toBe(200);
    expect(view.body.counts).toMatchObject({ deployments: 2, unknown: 2, onLatest: 0, behind: 0, pastEol: 0, libyear: 0 });
    expect(view.body.deployments.map((d: { alertConfigName: string; state: string }) => [d.alertConfigName, d.state])).toEqual([['fleet one', 'unknown'], ['fleet two', 'unknown']]);
    const list = await viewer.get('/api/v1/upstreams?q=fleet%20two&limit=1');
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: { gatherJobId: string }) => u.gatherJobId)).toEqual([body.gatherJobId]);
    expect(list.body.totals.deployments).toBeGreaterThanOrEqual(2);

    const globex = await makeTenant(api, 'Globex');
    expect((await client(api.url, globex.keys.viewer).get(`/api/v1/upstreams/${body.gatherJobId}`)).status).toBe(404);
    expect((await client(api.url, globex.keys.viewer).get('/api/v1/upstreams')).body.items).toEqual([]);
    const bad = await viewer.get('/api/v1/upstreams?status=sideways&q=');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.q', 'query.status']);
  });
});
