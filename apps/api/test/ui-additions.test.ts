/* eslint-disable @typescript-eslint/no-explicit-any -- answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

// The api additions of UI.md: `lastTask` on jobs and `?q=` name search on lists.

let api: ApiUnderTest;
let a: Tenant;

beforeAll(async () => {
  api = await startApi();
  a = await makeTenant(api);
});

afterAll(async () => {
  await api?.stop();
});

const gather = (name: string) => ({ name, schedule: '0 * * * *', sourceType: 'github_release', source: { owner: 'o', repo: name.replace(/[^a-z0-9]/gi, '-') }, enabled: false });

describe('jobs carry lastTask', () => {
  it('null before any run, then the latest task\'s status, error and completion, on get and list', async () => {
    const c = client(api.url, a.keys.member);
    const job = (await c.post('/api/v1/gather-jobs', gather('last-task'))).body;
    expect((await c.get(`/api/v1/gather-jobs/${job.id}`)).body.lastTask).toBeNull();
    const { db } = api.test;
    const base = { organization_id: a.organizationId, kind: 'gather' as const, gather_job_id: job.id, spec: {} };
    await db.insertInto('tasks').values({ ...base, status: 'succeeded', completed_at: new Date('2026-01-01T00:00:00Z'), created_at: new Date('2026-01-01T00:00:00Z') }).execute();
    await db.insertInto('tasks').values({ ...base, status: 'failed', error: 'upstream answered 502', completed_at: new Date('2026-01-02T00:00:00Z'), created_at: new Date('2026-01-02T00:00:00Z') }).execute();
    const expected = { status: 'failed', error: 'upstream answered 502', completedAt: '2026-01-02T00:00:00.000Z' };
    expect((await c.get(`/api/v1/gather-jobs/${job.id}`)).body.lastTask).toEqual(expected);
    const listed = (await c.get('/api/v1/gather-jobs')).body.items.find((item: any) => item.id === job.id);
    expect(listed.lastTask).toEqual(expected);
  });
});

describe('?q= name search', () => {
  it('finds names containing the text, case-insensitively, % and _ taken literally', async () => {
    const c = client(api.url, a.keys.member);
    for (const name of ['Prod Postgres', 'staging postgres', 'redis 100%', 'redis_x']) expect((await c.post('/api/v1/gather-jobs', gather(name))).status).toBe(201);
    const names = async (q: string) => (await c.get(`/api/v1/gather-jobs?q=${encodeURIComponent(q)}`)).body.items.map((item: any) => item.name).sort();
    expect(await names('POSTGRES')).toEqual(['Prod Postgres', 'staging postgres']);
    expect(await names('100%')).toEqual(['redis 100%']);
    expect(await names('s_x')).toEqual(['redis_x']);
    expect(await names('_')).toEqual(['redis_x']);
    const rule = await c.post('/api/v1/rules', { name: 'Majors rule', type: 'majors_behind', moderate: 1, high: 2, critical: 3 });
    expect(rule.status).toBe(201);
    expect((await c.get('/api/v1/rules?q=majors')).body.items.map((r: any) => r.name)).toEqual(['Majors rule']);
    const tooLong = await c.get(`/api/v1/rules?q=${'x'.repeat(201)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details[0].path).toBe('query.q');
  });
});
