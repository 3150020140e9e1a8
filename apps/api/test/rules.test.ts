import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlertConfig } from '@planekeeper/db/testing';
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

const rule = { name: 'minor lag', type: 'minors_behind', moderate: 2, high: 4, critical: 6, stableOnly: true };

describe('rules', () => {
  it('are created, read, listed, updated and deleted by a member', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/rules', rule);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...rule, id: expect.any(String), createdAt: expect.any(String) });
    const id = created.body.id as string;
    expect((await member.get(`/api/v1/rules/${id}`)).body.name).toBe('minor lag');
    const updated = await member.patch(`/api/v1/rules/${id}`, { critical: 10 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ moderate: 2, high: 4, critical: 10 });
    expect((await member.delete(`/api/v1/rules/${id}`)).status).toBe(204);
    expect((await member.get(`/api/v1/rules/${id}`)).status).toBe(404);
  });

  it('page through a list with a cursor, newest first', async () => {
    const admin = client(api.url, acme.keys.admin);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await admin.post('/api/v1/rules', { ...rule, name: `page ${i}` })).body.id);
    const first = await admin.get('/api/v1/rules?limit=2&type=minors_behind');
    expect(first.body.items).toHaveLength(2);
    const second = await admin.get(`/api/v1/rules?limit=2&cursor=${first.body.nextCursor}`);
    const third = await admin.get(`/api/v1/rules?limit=2&cursor=${second.body.nextCursor}`);
    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((r: { id: string }) => r.id);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuse thresholds out of order, naming the field, also when merged with the stored rule', async () => {
    const member = client(api.url, acme.keys.member);
    const bad = await member.post('/api/v1/rules', { ...rule, high: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'high' })]));
    const id = (await member.post('/api/v1/rules', rule)).body.id as string;
    const merged = await member.patch(`/api/v1/rules/${id}`, { moderate: 5 });
    expect(merged.status).toBe(400);
    expect(merged.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'high' })]));
  });

  it('refuse unknown fields and wrong types with the fields at fault', async () => {
    const member = client(api.url, acme.keys.member);
    const answer = await member.post('/api/v1/rules', { ...rule, moderate: 'two', colour: 'red' });
    expect(answer.status).toBe(400);
    const paths = (answer.body.error.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['moderate', 'colour']));
  });

  it('answer 409 when deleting a rule an alert config uses', async () => {
    const config = await makeAlertConfig(api.test.db, acme.organizationId);
    const answer = await client(api.url, acme.keys.admin).delete(`/api/v1/rules/${config.rule_id}`);
    expect(answer.status).toBe(409);
  });

  it('re-evaluate the configs that use a rule when it changes', async () => {
    const config = await makeAlertConfig(api.test.db, acme.organizationId);
    await client(api.url, acme.keys.member).patch(`/api/v1/rules/${config.rule_id}`, { moderate: 1 });
    expect(await queuedPayloads(api, 'evaluate')).toContainEqual({ organizationId: acme.organizationId, reason: 'rule_changed', target: { ruleId: config.rule_id } });
  });

  it('let a viewer read but not write, and keep agent keys out', async () => {
    expect((await client(api.url, acme.keys.viewer).get('/api/v1/rules')).status).toBe(200);
    const write = await client(api.url, acme.keys.viewer).post('/api/v1/rules', rule);
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('forbidden');
    expect((await client(api.url, acme.keys.agent).get('/api/v1/rules')).status).toBe(403);
    expect((await client(api.url).get('/api/v1/rules')).status).toBe(401);
    expect((await client(api.url, 'pk_not_a_real_key').get('/api/v1/rules')).status).toBe(401);
  });

  it("answer 404 for another organization's rule and change nothing", async () => {
    const theirs = (await client(api.url, globex.keys.admin).post('/api/v1/rules', rule)).body.id as string;
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/rules/${theirs}`)).status).toBe(404);
    expect((await ours.patch(`/api/v1/rules/${theirs}`, { name: 'stolen' })).status).toBe(404);
    expect((await ours.delete(`/api/v1/rules/${theirs}`)).status).toBe(404);
    expect((await client(api.url, globex.keys.admin).get(`/api/v1/rules/${theirs}`)).body.name).toBe('minor lag');
  });
});
