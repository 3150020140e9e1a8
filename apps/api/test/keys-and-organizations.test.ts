import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

const BOOTSTRAP = 'pk_bootstrap_for_tests_0123456789abcdef';
let api: ApiUnderTest;
let acme: Tenant;

beforeAll(async () => {
  api = await startApi({ PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP });
  acme = await makeTenant(api, 'Acme');
});
afterAll(() => api.stop());

describe('bootstrap', () => {
  it('creates the default organization with the configured admin key on an empty installation', async () => {
    const answer = await client(api.url, BOOTSTRAP).get('/api/v1/organizations');
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['default', 'Acme']));
  });

  it('lets the bootstrap key create organizations, each answered with its first admin key once', async () => {
    const created = await client(api.url, BOOTSTRAP).post('/api/v1/organizations', { name: 'Initech' });
    expect(created.status).toBe(201);
    expect(created.body.organization).toMatchObject({ id: expect.any(String), name: 'Initech' });
    expect(created.body.adminKey).toMatchObject({ role: 'admin', key: expect.stringMatching(/^pk_/) });
    const initech = client(api.url, created.body.adminKey.key);
    const own = await initech.get('/api/v1/organizations');
    expect(own.body.items).toEqual([expect.objectContaining({ name: 'Initech' })]);
    const listed = await initech.get('/api/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.adminKey.key);
  });

  it('refuses organization creation to every other key', async () => {
    const answer = await client(api.url, acme.keys.admin).post('/api/v1/organizations', { name: 'Nope' });
    expect(answer.status).toBe(403);
  });

  it("answers 404 for another organization's id, unless the bootstrap key asks", async () => {
    expect((await client(api.url, BOOTSTRAP).get(`/api/v1/organizations/${acme.organizationId}`)).status).toBe(200);
    const other = await makeTenant(api, 'Other');
    expect((await client(api.url, other.keys.admin).get(`/api/v1/organizations/${acme.organizationId}`)).status).toBe(404);
    expect((await client(api.url, other.keys.admin).patch(`/api/v1/organizations/${acme.organizationId}`, { name: 'x' })).status).toBe(404);
  });
});

describe('api keys', () => {
  it('are created with the key shown once, listed without it, and usable at once', async () => {
    const admin = client(api.url, acme.keys.admin);
    const created = await admin.post('/api/v1/api-keys', { name: 'ci pipeline', role: 'member' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^pk_[A-Za-z0-9_-]{40,}$/);
    expect(created.body.keyPrefix).toBe(created.body.key.slice(0, 11));
    const list = await admin.get('/api/v1/api-keys?role=member');
    expect(list.body.items.some((k: { id: string }) => k.id === created.body.id)).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect((await admin.get(`/api/v1/api-keys/${created.body.id}`)).body.key).toBeUndefined();
    expect((await client(api.url, created.body.key).get('/api/v1/rules')).status).toBe(200);
  });

  it('are stored only as hashes', async () => {
    const created = await client(api.url, acme.keys.admin).post('/api/v1/api-keys', { name: 'hashed', role: 'viewer' });
    const row = await api.test.db.selectFrom('api_keys').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.body.key);
  });

  it('stop working at once when revoked', async () => {
    const admin = client(api.url, acme.keys.admin);
    const created = await admin.post('/api/v1/api-keys', { name: 'short lived', role: 'viewer' });
    const key = client(api.url, created.body.key);
    expect((await key.get('/api/v1/rules')).status).toBe(200);
    expect((await admin.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    const after = await key.get('/api/v1/rules');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    expect((await admin.get(`/api/v1/api-keys/${created.body.id}`)).body.revokedAt).toEqual(expect.any(String));
  });

  it('stop working within moments when revoked or deleted outside the API, though checked keys are remembered', async () => {
    const admin = client(api.url, acme.keys.admin);
    for (const change of ['revoke', 'delete'] as const) {
      const created = await admin.post('/api/v1/api-keys', { name: `operator ${change}s it`, role: 'viewer' });
      const key = client(api.url, created.body.key);
      expect((await key.get('/api/v1/rules')).status).toBe(200);
      expect((await key.get('/api/v1/rules')).status).toBe(200);
      // An operator in an incident, straight in the database: the trigger tells every api process.
      if (change === 'revoke') await api.test.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', created.body.id).execute();
      else await api.test.db.deleteFrom('api_keys').where('id', '=', created.body.id).execute();
      const deadline = Date.now() + 2_000;
      let status = 200;
      while (status !== 401 && Date.now() < deadline) {
        status = (await key.get('/api/v1/rules')).status;
        if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(401);
    }
  });

  it('are managed by admins only', async () => {
    for (const role of ['member', 'viewer', 'agent'] as const) {
      expect((await client(api.url, acme.keys[role]).post('/api/v1/api-keys', { name: 'x', role: 'admin' })).status).toBe(403);
      expect((await client(api.url, acme.keys[role]).get('/api/v1/api-keys')).status).toBe(403);
    }
  });

  it('refuse an unknown role with the field named', async () => {
    const answer = await client(api.url, acme.keys.admin).post('/api/v1/api-keys', { name: 'x', role: 'owner' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].path).toBe('role');
  });

  it('accept X-API-Key as well as a bearer token', async () => {
    const answer = await client(api.url).get('/api/v1/rules', { 'x-api-key': acme.keys.viewer });
    expect(answer.status).toBe(200);
  });
});

describe('request errors', () => {
  it('answer malformed JSON with 400, never 500', async () => {
    const answer = await client(api.url, acme.keys.admin).post('/api/v1/rules', '{"name": ');
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
  });

  it('answer an oversize body with 413', async () => {
    const answer = await client(api.url, acme.keys.admin).post('/api/v1/rules', { name: 'x'.repeat(2_000_000) });
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('payload_too_large');
  });

  it('answer an unknown route with a JSON 404 and a bad id with 400', async () => {
    expect((await client(api.url, acme.keys.admin).get('/api/v1/nothing-here')).body.error.code).toBe('not_found');
    const bad = await client(api.url, acme.keys.admin).get('/api/v1/rules/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('params.id');
  });

  it('answer a bad cursor with 400 naming it', async () => {
    const answer = await client(api.url, acme.keys.admin).get('/api/v1/rules?cursor=garbage');
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].path).toBe('query.cursor');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a key exceeds its requests per minute', async () => {
    const limited = await startApi({ API_RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const tenant = await makeTenant(limited);
      const viewer = client(limited.url, tenant.keys.viewer);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await viewer.get('/api/v1/rules')).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const refused = await viewer.get('/api/v1/rules');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another key of the same organization has its own budget.
      expect((await client(limited.url, tenant.keys.admin).get('/api/v1/rules')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
