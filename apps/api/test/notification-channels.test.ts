import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formatWebhookSecret } from '@planekeeper/domain';
import { client, makeTenant, queuedPayloads, startApi, type Answer, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;
/** Every URL and secret given or shown once: none may appear anywhere else. */
const secrets: string[] = [];
/** Every answer after creation, to search for secrets at the end. */
const later: Answer[] = [];

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

const slackUrl = (token: string) => `https://hooks.slack.com/services/T0001/B0001/${token}`;
const givenSecret = formatWebhookSecret(new Uint8Array(32).fill(42));

async function create(tenant: Tenant, body: Record<string, unknown>) {
  const answer = await client(api.url, tenant.keys.member).post('/api/v1/notification-channels', body);
  expect(answer.status).toBe(201);
  secrets.push(String(body.url), ...(answer.body.secret ? [answer.body.secret as string] : []));
  return answer.body;
}

async function remember<T extends Answer>(pending: Promise<T>): Promise<T> {
  const answer = await pending;
  later.push(answer);
  return answer;
}

describe('notification channels', () => {
  it('are created showing only the URL host; a webhook channel gets a generated secret, shown once', async () => {
    const member = client(api.url, acme.keys.member);
    const slack = await create(acme, { name: 'ops slack', type: 'slack', url: slackUrl('slacktoken1') });
    expect(slack).toEqual({
      id: expect.any(String), name: 'ops slack', type: 'slack', urlHost: 'hooks.slack.com', enabled: true, disabledReason: null,
      secret: null, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const hook = await create(acme, { name: 'ops hook', type: 'webhook', url: 'https://hooks.example.com:8443/planekeeper/s3cr3tpath' });
    expect(hook.urlHost).toBe('hooks.example.com:8443');
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from((hook.secret as string).slice('whsec_'.length), 'base64')).toHaveLength(32);
    const given = await create(acme, { name: 'signed', type: 'webhook', url: 'https://example.org/in/tokenpath9', secret: givenSecret });
    expect(given.secret).toBe(givenSecret);

    for (const id of [slack.id, hook.id, given.id]) {
      const got = await remember(member.get(`/api/v1/notification-channels/${id}`));
      expect(got.status).toBe(200);
      expect(Object.keys(got.body).sort()).toEqual(['createdAt', 'disabledReason', 'enabled', 'id', 'name', 'type', 'updatedAt', 'urlHost']);
    }
  });

  it('list newest first with a cursor and a type filter', async () => {
    const viewer = client(api.url, acme.keys.viewer);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await create(acme, { name: `discord ${i}`, type: 'discord', url: `https://discord.com/api/webhooks/${i}/discordtoken${i}` })).id);
    const first = await remember(viewer.get('/api/v1/notification-channels?type=discord&limit=2'));
    const second = await remember(viewer.get(`/api/v1/notification-channels?type=discord&limit=2&cursor=${first.body.nextCursor}`));
    expect([...first.body.items, ...second.body.items].map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    expect(second.body.nextCursor).toBeNull();
    const all = await remember(viewer.get('/api/v1/notification-channels'));
    expect(all.body.items.every((c: { type: string }) => ['slack', 'webhook', 'discord'].includes(c.type))).toBe(true);
  });

  it('replace URL and secret, rename, and re-enable a channel a 410 disabled, clearing the reason', async () => {
    const member = client(api.url, acme.keys.member);
    const hook = await create(acme, { name: 'rotating', type: 'webhook', url: 'https://old.example.com/hook/oldtoken' });
    await api.test.db.updateTable('notification_channels').set({ enabled: false, disabled_reason: 'disabled: the target answered 410 Gone' }).where('id', '=', hook.id).execute();
    const disabled = await remember(member.get(`/api/v1/notification-channels/${hook.id}`));
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: 'disabled: the target answered 410 Gone' });

    const rotated = formatWebhookSecret(new Uint8Array(48).fill(7));
    secrets.push('https://new.example.com/hook/newtoken', rotated);
    const patched = await remember(member.patch(`/api/v1/notification-channels/${hook.id}`, { url: 'https://new.example.com/hook/newtoken', secret: rotated, name: 'rotated', enabled: true }));
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'rotated', urlHost: 'new.example.com', enabled: true, disabledReason: null });
    expect(patched.body.secret).toBeUndefined();
    const stored = await api.test.db.selectFrom('notification_channels').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ url: 'https://new.example.com/hook/newtoken', secret: rotated });

    const off = await remember(member.patch(`/api/v1/notification-channels/${hook.id}`, { enabled: false }));
    expect(off.body).toMatchObject({ enabled: false, disabledReason: null });
  });

  it('refuse bad input with the fields at fault', async () => {
    const member = client(api.url, acme.keys.member);
    const post = (body: unknown) => member.post('/api/v1/notification-channels', body);
    const paths = (answer: Answer) => (answer.body.error.details as Array<{ path: string }>).map((d) => d.path);
    const cases: Array<[unknown, string[]]> = [
      [{ name: 'x', type: 'pager', url: 'https://x.example.com' }, ['type']],
      [{ name: 'x', type: 'slack', url: 'ftp://x.example.com/a' }, ['url']],
      [{ name: 'x', type: 'slack' }, ['url']],
      [{ name: '', type: 'slack', url: 'https://x.example.com' }, ['name']],
      [{ name: 'x', type: 'slack', url: 'https://x.example.com', secret: givenSecret }, ['secret']],
      [{ name: 'x', type: 'webhook', url: 'https://x.example.com', secret: 'not-a-secret' }, ['secret']],
      [{ name: 'x', type: 'webhook', url: 'https://x.example.com', colour: 'red' }, ['colour']],
    ];
    for (const [body, expected] of cases) {
      const answer = await post(body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      expect(paths(answer)).toEqual(expect.arrayContaining(expected));
    }
    const slack = await create(acme, { name: 'plain', type: 'slack', url: slackUrl('slacktoken2') });
    const secretOnSlack = await member.patch(`/api/v1/notification-channels/${slack.id}`, { secret: givenSecret });
    expect(secretOnSlack.status).toBe(400);
    expect(paths(secretOnSlack)).toEqual(['secret']);
    const becomeWebhook = await member.patch(`/api/v1/notification-channels/${slack.id}`, { type: 'webhook' });
    expect(becomeWebhook.status).toBe(400);
    expect(paths(becomeWebhook)).toEqual(['secret']);
    expect((await member.get('/api/v1/notification-channels/not-a-uuid')).status).toBe(400);
    expect((await member.get('/api/v1/notification-channels?type=pager')).status).toBe(400);
  });

  it('send a test message through the delivery path: a test delivery, enqueued, answered 202', async () => {
    const member = client(api.url, acme.keys.member);
    const slack = await create(acme, { name: 'testable', type: 'slack', url: slackUrl('slacktoken3') });
    const answer = await remember(member.post(`/api/v1/notification-channels/${slack.id}/test`));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ id: expect.any(String), kind: 'test', channelId: slack.id, status: 'pending', alertEventId: null, attempts: 0 });
    expect(await queuedPayloads(api, 'notification.deliver')).toContainEqual({ organizationId: acme.organizationId, deliveryId: answer.body.id });
    const listed = await member.get(`/api/v1/deliveries?channelId=${slack.id}`);
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual([answer.body.id]);

    await member.patch(`/api/v1/notification-channels/${slack.id}`, { enabled: false });
    const refused = await member.post(`/api/v1/notification-channels/${slack.id}/test`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/disabled/);
  });

  it('delete a channel with its rules', async () => {
    const member = client(api.url, acme.keys.member);
    const slack = await create(acme, { name: 'doomed', type: 'slack', url: slackUrl('slacktoken4') });
    const rule = await member.post('/api/v1/notification-rules', { name: 'r', channelId: slack.id, events: ['created'], severities: ['critical'] });
    expect((await member.delete(`/api/v1/notification-channels/${slack.id}`)).status).toBe(204);
    expect((await member.get(`/api/v1/notification-channels/${slack.id}`)).status).toBe(404);
    expect((await member.get(`/api/v1/notification-rules/${rule.body.id}`)).status).toBe(404);
  });

  it('let a viewer read but not write, and keep agent keys and strangers out', async () => {
    const slack = await create(acme, { name: 'guarded', type: 'slack', url: slackUrl('slacktoken5') });
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get(`/api/v1/notification-channels/${slack.id}`)).status).toBe(200);
    expect((await viewer.post('/api/v1/notification-channels', { name: 'v', type: 'slack', url: slackUrl('viewer') })).status).toBe(403);
    expect((await viewer.patch(`/api/v1/notification-channels/${slack.id}`, { name: 'v' })).status).toBe(403);
    expect((await viewer.delete(`/api/v1/notification-channels/${slack.id}`)).status).toBe(403);
    expect((await viewer.post(`/api/v1/notification-channels/${slack.id}/test`)).status).toBe(403);
    expect((await client(api.url, acme.keys.agent).get('/api/v1/notification-channels')).status).toBe(403);
    expect((await client(api.url).get('/api/v1/notification-channels')).status).toBe(401);
    expect((await client(api.url, acme.keys.admin).patch(`/api/v1/notification-channels/${slack.id}`, { name: 'by admin' })).status).toBe(200);
  });

  it("answer 404 for another organization's channel and change nothing", async () => {
    const theirs = await create(globex, { name: 'globex hook', type: 'webhook', url: 'https://globex.example.com/hook/globextoken' });
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/notification-channels/${theirs.id}`)).status).toBe(404);
    expect((await ours.patch(`/api/v1/notification-channels/${theirs.id}`, { url: 'https://evil.example.com/x' })).status).toBe(404);
    expect((await ours.post(`/api/v1/notification-channels/${theirs.id}/test`)).status).toBe(404);
    expect((await ours.delete(`/api/v1/notification-channels/${theirs.id}`)).status).toBe(404);
    expect((await ours.get('/api/v1/notification-channels')).body.items.map((c: { id: string }) => c.id)).not.toContain(theirs.id);
    const stored = await api.test.db.selectFrom('notification_channels').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ name: 'globex hook', url: 'https://globex.example.com/hook/globextoken', enabled: true });
    expect(await api.test.db.selectFrom('deliveries').select('id').where('channel_id', '=', theirs.id).execute()).toEqual([]);
  });

  it('never show a URL or secret after creation, nor write one to the logs', async () => {
    const listed = await remember(client(api.url, acme.keys.admin).get('/api/v1/notification-channels?limit=500'));
    expect(listed.body.items.length).toBeGreaterThan(5);
    const shown = later.map((answer) => JSON.stringify(answer.body)).join('\n');
    const logs = api.logs.join('');
    expect(logs).toContain('notification channel created');
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(shown).not.toContain(secret);
      expect(logs).not.toContain(secret);
      // The part of a URL after the host is the secret part (a Slack token, a signed path).
      const path = new URL(secret.startsWith('whsec_') ? 'http://x' : secret).pathname;
      if (path.length > 1) {
        expect(shown).not.toContain(path);
        expect(logs).not.toContain(path);
      }
    }
  });
});
