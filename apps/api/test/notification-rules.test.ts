import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeChannel } from '@planekeeper/db/testing';
import { client, makeTenant, startApi, type Answer, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;
let acmeChannel: string;
let acmeOtherChannel: string;
let globexChannel: string;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
  acmeChannel = (await makeChannel(api.test.db, acme.organizationId)).id;
  acmeOtherChannel = (await makeChannel(api.test.db, acme.organizationId, { name: 'second', type: 'slack', secret: null })).id;
  globexChannel = (await makeChannel(api.test.db, globex.organizationId)).id;
});
afterAll(() => api.stop());

const rule = () => ({ name: 'criticals to ops', channelId: acmeChannel, events: ['created', 'escalated'], severities: ['critical'] });
const paths = (answer: Answer) => (answer.body.error.details as Array<{ path: string }>).map((d) => d.path);

describe('notification rules', () => {
  it('are created, read, listed, updated and deleted by a member', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/notification-rules', rule());
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...rule(), id: expect.any(String), enabled: true, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const id = created.body.id as string;
    expect((await member.get(`/api/v1/notification-rules/${id}`)).body.events).toEqual(['created', 'escalated']);
    const updated = await member.patch(`/api/v1/notification-rules/${id}`, { severities: ['high', 'critical'], channelId: acmeOtherChannel, enabled: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ severities: ['high', 'critical'], channelId: acmeOtherChannel, enabled: false, events: ['created', 'escalated'] });
    expect((await member.delete(`/api/v1/notification-rules/${id}`)).status).toBe(204);
    expect((await member.get(`/api/v1/notification-rules/${id}`)).status).toBe(404);
  });

  it('list newest first, by channel, with a cursor', async () => {
    const member = client(api.url, acme.keys.member);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await member.post('/api/v1/notification-rules', { ...rule(), name: `page ${i}`, channelId: acmeOtherChannel })).body.id);
    await member.post('/api/v1/notification-rules', rule());
    const first = await member.get(`/api/v1/notification-rules?channelId=${acmeOtherChannel}&limit=2`);
    const second = await member.get(`/api/v1/notification-rules?channelId=${acmeOtherChannel}&limit=2&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuse empty, repeated or unknown events and severities with the field named', async () => {
    const member = client(api.url, acme.keys.member);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ events: [] }, 'events'],
      [{ severities: [] }, 'severities'],
      [{ events: ['created', 'created'] }, 'events'],
      [{ events: ['exploded'] }, 'events.0'],
      [{ severities: ['urgent'] }, 'severities.0'],
      [{ channelId: 'nope' }, 'channelId'],
      [{ name: '' }, 'name'],
    ];
    for (const [change, path] of cases) {
      const answer = await member.post('/api/v1/notification-rules', { ...rule(), ...change });
      expect(answer.status).toBe(400);
      expect(paths(answer)).toContain(path);
    }
    const id = (await member.post('/api/v1/notification-rules', rule())).body.id as string;
    const patched = await member.patch(`/api/v1/notification-rules/${id}`, { events: [] });
    expect(patched.status).toBe(400);
    expect(paths(patched)).toEqual(['events']);
  });

  it("refuse a channel that is not the organization's, naming channelId", async () => {
    const member = client(api.url, acme.keys.member);
    for (const channelId of [globexChannel, '00000000-0000-4000-8000-000000000000']) {
      const created = await member.post('/api/v1/notification-rules', { ...rule(), channelId });
      expect(created.status).toBe(400);
      expect(created.body.error.details).toEqual([{ path: 'channelId', message: `no notification channel ${channelId} in this organization` }]);
    }
    const id = (await member.post('/api/v1/notification-rules', rule())).body.id as string;
    const moved = await member.patch(`/api/v1/notification-rules/${id}`, { channelId: globexChannel });
    expect(moved.status).toBe(400);
    expect(paths(moved)).toEqual(['channelId']);
    expect((await member.get(`/api/v1/notification-rules/${id}`)).body.channelId).toBe(acmeChannel);
  });

  it('let a viewer read but not write, and keep agent keys out', async () => {
    const id = (await client(api.url, acme.keys.admin).post('/api/v1/notification-rules', rule())).body.id as string;
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get('/api/v1/notification-rules')).status).toBe(200);
    expect((await viewer.get(`/api/v1/notification-rules/${id}`)).status).toBe(200);
    expect((await viewer.post('/api/v1/notification-rules', rule())).status).toBe(403);
    expect((await viewer.patch(`/api/v1/notification-rules/${id}`, { name: 'v' })).status).toBe(403);
    expect((await viewer.delete(`/api/v1/notification-rules/${id}`)).status).toBe(403);
    expect((await client(api.url, acme.keys.agent).get('/api/v1/notification-rules')).status).toBe(403);
    expect((await client(api.url).get('/api/v1/notification-rules')).status).toBe(401);
  });

  it("answer 404 for another organization's rule and change nothing", async () => {
    const theirs = await client(api.url, globex.keys.admin).post('/api/v1/notification-rules', { ...rule(), channelId: globexChannel });
    expect(theirs.status).toBe(201);
    const id = theirs.body.id as string;
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/notification-rules/${id}`)).status).toBe(404);
    expect((await ours.patch(`/api/v1/notification-rules/${id}`, { name: 'stolen', channelId: acmeChannel })).status).toBe(404);
    expect((await ours.delete(`/api/v1/notification-rules/${id}`)).status).toBe(404);
    expect((await ours.get(`/api/v1/notification-rules?channelId=${globexChannel}`)).body.items).toEqual([]);
    expect((await client(api.url, globex.keys.admin).get(`/api/v1/notification-rules/${id}`)).body).toMatchObject({ name: 'criticals to ops', channelId: globexChannel });
  });
});
