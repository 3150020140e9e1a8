import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob, makeTask } from '@planekeeper/db/testing';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi({ API_ENROLL_RATE_LIMIT_PER_MINUTE: '0' });
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

async function makeToken(tenant: Tenant, body: Record<string, unknown> = {}) {
  const answer = await client(api.url, tenant.keys.admin).post('/api/v1/agent-enrollment-tokens', { name: 'site', maxUses: 1, expiresInSeconds: 3600, ...body });
  expect(answer.status).toBe(201);
  return answer.body as { id: string; token: string; uses: number; maxUses: number };
}

const enroll = (body: Record<string, unknown>, headers?: Record<string, string>) => client(api.url).post('/api/v1/agent/enroll', body, headers);

/** Everything an enrollment could create, to show a refusal creates nothing. */
async function counts() {
  const agents = await api.test.db.selectFrom('agents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const keys = await api.test.db.selectFrom('api_keys').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const uses = await api.test.db.selectFrom('agent_enrollment_tokens').select((eb) => eb.fn.sum<string>('uses').as('n')).executeTakeFirstOrThrow();
  return { agents: Number(agents.n), keys: Number(keys.n), uses: Number(uses.n ?? 0) };
}

describe('agent enrollment tokens', () => {
  it('are made by admins only, shown once, stored hashed and listed without the token', async () => {
    const created = await makeToken(acme, { name: 'west', maxUses: 3, capabilities: ['scrape'] });
    expect(created).toMatchObject({ name: 'west', maxUses: 3, uses: 0, revokedAt: null, capabilities: ['scrape'], token: expect.stringMatching(/^pket_\S{40,}$/) });
    const row = await api.test.db.selectFrom('agent_enrollment_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(created.token);
    const list = await client(api.url, acme.keys.admin).get('/api/v1/agent-enrollment-tokens');
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(created.id);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(api.logs.join('\n')).not.toContain(created.token);
    for (const role of ['member', 'viewer', 'agent'] as const) {
      expect((await client(api.url, acme.keys[role]).post('/api/v1/agent-enrollment-tokens', { name: 'x' })).status).toBe(403);
      expect((await client(api.url, acme.keys[role]).get('/api/v1/agent-enrollment-tokens')).status).toBe(403);
    }
  });

  it('refuses an unknown capability, a zero maxUses and a lifetime out of range with 400 naming the field', async () => {
    for (const [body, field] of [
      [{ name: 'x', capabilities: ['mining'] }, 'capabilities'],
      [{ name: 'x', maxUses: 0 }, 'maxUses'],
      [{ name: 'x', expiresInSeconds: 5 }, 'expiresInSeconds'],
      [{ name: 'x', expiresInSeconds: 10 ** 9 }, 'expiresInSeconds'],
    ] as const) {
      const answer = await client(api.url, acme.keys.admin).post('/api/v1/agent-enrollment-tokens', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.details.map((d: { path: string }) => d.path.split('.')[0])).toContain(field);
    }
  });

  it('are revoked with DELETE, and another organization sees and revokes none of them', async () => {
    const created = await makeToken(acme);
    expect((await client(api.url, globex.keys.admin).delete(`/api/v1/agent-enrollment-tokens/${created.id}`)).status).toBe(404);
    const theirs = await client(api.url, globex.keys.admin).get('/api/v1/agent-enrollment-tokens?limit=500');
    expect(theirs.body.items.map((t: { id: string }) => t.id)).not.toContain(created.id);
    expect((await client(api.url, acme.keys.admin).delete(`/api/v1/agent-enrollment-tokens/${created.id}`)).status).toBe(204);
    const row = await api.test.db.selectFrom('agent_enrollment_tokens').select('revoked_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
  });
});

describe('POST /agent/enroll', () => {
  it('registers the agent in the token\'s organization with a key of its own that works on the agent API', async () => {
    const token = await makeToken(acme, { capabilities: ['gather'] });
    const answer = await enroll({ token: token.token, name: 'pod-a-1', hostname: 'pod-a-1', version: '1.0.0' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ agentId: expect.any(String), name: 'pod-a-1', key: expect.stringMatching(/^pk_/), capabilities: ['gather'] });
    const agent = await client(api.url, acme.keys.viewer).get(`/api/v1/agents/${answer.body.agentId}`);
    expect(agent.body).toMatchObject({ name: 'pod-a-1', capabilities: ['gather'] });
    expect((await client(api.url, globex.keys.viewer).get(`/api/v1/agents/${answer.body.agentId}`)).status).toBe(404);
    const beat = await client(api.url, answer.body.key).post('/api/v1/agent/heartbeat', { name: 'pod-a-1', version: '1.0.0', hostname: 'pod-a-1', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 1 });
    expect(beat.body.agentId).toBe(answer.body.agentId);
    // The key is an agent key: the automation API is closed to it.
    expect((await client(api.url, answer.body.key).get('/api/v1/agents')).status).toBe(403);
    const listed = await client(api.url, acme.keys.admin).get('/api/v1/agent-enrollment-tokens?limit=500');
    expect(listed.body.items.find((t: { id: string }) => t.id === token.id)).toMatchObject({ uses: 1 });
    expect(api.logs.join('\n')).not.toContain(token.token);
    expect(api.logs.join('\n')).not.toContain(answer.body.key);
  });

  it('takes the token as a bearer credential too', async () => {
    const token = await makeToken(acme);
    const answer = await enroll({ name: 'pod-bearer' }, { authorization: `Bearer ${token.token}` });
    expect(answer.status).toBe(201);
  });

  it('refuses a missing, wrong, expired, revoked or used-up token with one clear error, creating nothing', async () => {
    const used = await makeToken(acme);
    expect((await enroll({ token: used.token, name: 'first' })).status).toBe(201);
    const expired = await makeToken(acme);
    await api.test.db.updateTable('agent_enrollment_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', expired.id).execute();
    const revoked = await makeToken(acme);
    await client(api.url, acme.keys.admin).delete(`/api/v1/agent-enrollment-tokens/${revoked.id}`);
    const before = await counts();
    for (const [token, status, message] of [
      [undefined, 401, /enrollment token is required/],
      ['pk_an_api_key_is_not_a_token_0000000000', 401, /enrollment token is required/],
      ['pket_wrong0000000000000000000000000000000000', 401, /not valid/],
      [expired.token, 403, /expired at/],
      [revoked.token, 403, /revoked/],
      [used.token, 403, /used up \(1 of 1 uses\)/],
    ] as const) {
      const answer = await enroll({ ...(token ? { token } : {}), name: `refused-${status}` });
      expect({ status: answer.status, message: answer.body.error.message }).toEqual({ status, message: expect.stringMatching(message) });
      if (token) expect(answer.body.error.message).not.toContain(token);
    }
    expect(await counts()).toEqual(before);
    for (const token of [expired.token, revoked.token, used.token]) expect(api.logs.join('\n')).not.toContain(token);
  });

  it('refuses a name the organization has already with 409 and counts no use', async () => {
    const token = await makeToken(acme);
    await client(api.url, acme.keys.agent).post('/api/v1/agent/heartbeat', { name: 'taken', version: '1', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 1 });
    const before = await counts();
    const answer = await enroll({ token: token.token, name: 'taken' });
    expect(answer.status).toBe(409);
    expect(await counts()).toEqual(before);
    // A token of another organization enrolls there: the name is free in Globex.
    const theirs = await makeToken(globex);
    expect((await enroll({ token: theirs.token, name: 'taken' })).status).toBe(201);
  });

  it('lets exactly one of 12 racing agents take a one-use token', async () => {
    const token = await makeToken(acme);
    const before = await counts();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => enroll({ token: token.token, name: `racer-${i}` })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array(11).fill(403)]);
    expect(await counts()).toEqual({ agents: before.agents + 1, keys: before.keys + 1, uses: before.uses + 1 });
  });

  it('counts a three-use token to three, whatever the race', async () => {
    const token = await makeToken(acme, { maxUses: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => enroll({ token: token.token, name: `trio-${i}` })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    const row = await api.test.db.selectFrom('agent_enrollment_tokens').select('uses').where('id', '=', token.id).executeTakeFirstOrThrow();
    expect(row.uses).toBe(3);
  });

  it('forgetting an enrolled agent revokes its key at once and gives back its tasks', async () => {
    const token = await makeToken(acme);
    const enrolled = (await enroll({ token: token.token, name: 'to-forget' })).body as { agentId: string; key: string };
    const job = await makeGatherJob(api.test.db, acme.organizationId);
    const task = await makeTask(api.test.db, acme.organizationId, job.id, { status: 'claimed', claimed_by: enrolled.agentId, lease_token: crypto.randomUUID() });
    expect((await client(api.url, acme.keys.admin).delete(`/api/v1/agents/${enrolled.agentId}`)).status).toBe(204);
    const beat = await client(api.url, enrolled.key).post('/api/v1/agent/heartbeat', { name: 'to-forget', version: '1', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 1 });
    expect(beat.status).toBe(401);
    expect(await api.test.db.selectFrom('agents').select('id').where('name', '=', 'to-forget').execute()).toEqual([]);
    const row = await api.test.db.selectFrom('tasks').select('status').where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
  });
});

describe('enrollment rate limit', () => {
  it('answers 429 with Retry-After past the per-address limit, before looking at the token', async () => {
    const limited = await startApi({ API_ENROLL_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await client(limited.url).post('/api/v1/agent/enroll', { token: 'pket_guess', name: `guess-${i}` });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(last!.body.error.code).toBe('rate_limited');
    } finally {
      await limited.stop();
    }
  });
});
