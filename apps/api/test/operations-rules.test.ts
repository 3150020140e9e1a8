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
