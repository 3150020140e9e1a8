/* eslint-disable @typescript-eslint/no-explicit-any -- answers are asserted field by field */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

// The web UI's sessions (UI.md "Login"): a pasted key becomes an HttpOnly cookie; the cookie acts
// as that key on /api/v1/* but never on the agent API; unsafe methods need the CSRF header and the
// api's own Origin; sessions end on logout, expiry and the key's revocation. And the UI's files.

const uiDir = mkdtempSync(path.join(os.tmpdir(), 'pk-ui-'));
mkdirSync(path.join(uiDir, 'assets'));
writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>Planekeeper</title>');
writeFileSync(path.join(uiDir, 'assets/app-abc123.js'), 'console.log("ui")');
writeFileSync(path.join(uiDir, 'assets/app-abc123.js.br'), brotliCompressSync('console.log("ui")'));

let api: ApiUnderTest;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  api = await startApi({ UI_DIR: uiDir });
  [a, b] = [await makeTenant(api, 'org-a'), await makeTenant(api, 'org-b')];
});

afterAll(async () => {
  await api?.stop();
});

const ui = () => ({ origin: api.url, 'x-planekeeper-csrf': '1' });

async function login(key: string, headers: Record<string, string> = ui()) {
  return client(api.url).post('/api/v1/session', { key }, headers);
}

async function session(key: string): Promise<string> {
  const answer = await login(key);
  expect(answer.status).toBe(201);
  return /pk_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')![1]!;
}

const withCookie = (token: string, extra: Record<string, string> = {}) => ({ cookie: `pk_session=${token}`, ...extra });
const sessionCount = async () => Number((await api.test.db.selectFrom('ui_sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const ruleCount = async () => Number((await api.test.db.selectFrom('rules').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const rule = { name: 'r', type: 'majors_behind', moderate: 1, high: 2, critical: 3 };

describe('POST /api/v1/session', () => {
  it('answers an HttpOnly, SameSite=Strict cookie and who logged in; the cookie then acts as the key', async () => {
    const answer = await login(a.keys.admin);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ keyName: 'admin key', role: 'admin', bootstrap: false, organization: { id: a.organizationId, name: 'org-a' }, session: true });
    const cookie = answer.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^pk_session=pks_[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(cookie).not.toContain(a.keys.admin);
    const token = /pk_session=([^;]+)/.exec(cookie)![1]!;
    const me = await client(api.url).get('/api/v1/me', withCookie(token));
    expect(me.status).toBe(200);
    expect(me.body.organization.id).toBe(a.organizationId);
    // Only a hash of the token is stored.
    const rows = await api.test.db.selectFrom('ui_sessions').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(api.logs.filter((line) => line.includes(a.keys.admin) || line.includes(token))).toEqual([]);
  });

  it('refuses agent keys (403), unknown and revoked keys (401), and a request without the CSRF header or from another origin (403); nothing is written', async () => {
    const before = await sessionCount();
    const agent = await login(a.keys.agent);
    expect(agent.status).toBe(403);
    expect(agent.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('agent keys cannot log in') });
    expect((await login('pk_unknown_key_0123456789abcdef')).body.error.code).toBe('unauthorized');
    expect((await login(a.keys.viewer, { origin: api.url })).status).toBe(403);
    const crossSite = await login(a.keys.viewer, { origin: 'https://evil.example', 'x-planekeeper-csrf': '1' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('forbidden');
    expect((await login('not-a-key')).status).toBe(401);
    expect((await login('')).body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'key' }] });
    expect(await sessionCount()).toBe(before);
  });
});

describe('POST /api/v1/session, guessed keys', () => {
  it('counts refused keys against the address like any failed authentication: 429 with Retry-After past the limit', async () => {
    const strict = await startApi({ API_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const guess = () => client(strict.url).post('/api/v1/session', { key: 'pk_guessed_key_0123456789abcdef' }, { origin: strict.url, 'x-planekeeper-csrf': '1' });
      for (let i = 0; i < 3; i++) expect((await guess()).status).toBe(401);
      const limited = await guess();
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await strict.stop();
    }
  });
});

describe('cookie authentication', () => {
  it('needs the CSRF header and the api\'s Origin on unsafe methods; nothing is written otherwise', async () => {
    const token = await session(a.keys.member);
    const c = client(api.url);
    const before = await ruleCount();
    const noHeader = await c.post('/api/v1/rules', rule, withCookie(token, { origin: api.url }));
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('x-planekeeper-csrf') });
    const wrongOrigin = await c.post('/api/v1/rules', rule, withCookie(token, { origin: 'http://evil.example', 'x-planekeeper-csrf': '1' }));
    expect(wrongOrigin.status).toBe(403);
    const noOrigin = await c.post('/api/v1/rules', rule, withCookie(token, { 'x-planekeeper-csrf': '1' }));
    expect(noOrigin.status).toBe(403);
    expect(await ruleCount()).toBe(before);
    const ok = await c.post('/api/v1/rules', rule, withCookie(token, ui()));
    expect(ok.status).toBe(201);
    expect(await ruleCount()).toBe(before + 1);
  });

  it('keeps a session inside its organization: another organization\'s rule is not found, and unchanged', async () => {
    const created = await client(api.url, b.keys.admin).post('/api/v1/rules', { ...rule, name: 'b-rule' });
    const token = await session(a.keys.admin);
    const c = client(api.url);
    expect((await c.get(`/api/v1/rules/${created.body.id}`, withCookie(token))).status).toBe(404);
    const patch = await c.call('PATCH', `/api/v1/rules/${created.body.id}`, { name: 'stolen' }, withCookie(token, ui()));
    expect(patch.status).toBe(404);
    expect(patch.body.error.code).toBe('not_found');
    expect((await client(api.url, b.keys.admin).get(`/api/v1/rules/${created.body.id}`)).body.name).toBe('b-rule');
  });

  it('refuses a forged cookie, and is never accepted on the agent API', async () => {
    const c = client(api.url);
    const forged = await c.get('/api/v1/me', withCookie('pks_forgedforgedforgedforgedforged0000'));
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('unauthorized');
    expect((await c.get('/api/v1/me', withCookie('garbage'))).status).toBe(401);
    const token = await session(a.keys.admin);
    const heartbeat = await c.post('/api/v1/agent/heartbeat', { name: 'x', version: '1', capabilities: [] }, withCookie(token, ui()));
    expect(heartbeat.status).toBe(401);
    expect(heartbeat.body.error.code).toBe('unauthorized');
  });

  it('ends on idle (1 h) and absolute (12 h) expiry, on logout, and when the key is revoked', async () => {
    const c = client(api.url);
    const idle = await session(a.keys.viewer);
    await api.test.db.updateTable('ui_sessions').set({ last_seen_at: new Date(Date.now() - 61 * 60_000) }).where('last_seen_at', '>', new Date(Date.now() - 60_000)).execute();
    expect((await c.get('/api/v1/me', withCookie(idle))).status).toBe(401);

    const old = await session(a.keys.viewer);
    await api.test.db.updateTable('ui_sessions').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    const expired = await c.get('/api/v1/me', withCookie(old));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('expired');

    const out = await session(a.keys.viewer);
    const logout = await c.call('DELETE', '/api/v1/session', undefined, withCookie(out, ui()));
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await c.get('/api/v1/me', withCookie(out))).status).toBe(401);

    const revokedKey = await client(api.url, a.keys.admin).post('/api/v1/api-keys', { name: 'short-lived', role: 'member' });
    const live = await session(revokedKey.body.key);
    expect((await c.get('/api/v1/me', withCookie(live))).status).toBe(200);
    expect((await client(api.url, a.keys.admin).delete(`/api/v1/api-keys/${revokedKey.body.id}`)).status).toBe(204);
    expect((await c.get('/api/v1/me', withCookie(live))).status).toBe(401);
  });

  it('leaves Bearer keys working unchanged, the cookie ignored when a key is presented', async () => {
    const answer = await client(api.url, a.keys.viewer).get('/api/v1/me', withCookie('pks_forgedforgedforgedforgedforged0000'));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ role: 'viewer', session: false });
    expect((await client(api.url, a.keys.agent).get('/api/v1/me')).status).toBe(403);
  });
});

describe('GET /api/v1/summary', () => {
  it('counts open alerts by severity and unacknowledged ones, of the caller\'s organization only', async () => {
    const { db } = api.test;
    const alert = (organizationId: string, severity: 'moderate' | 'high' | 'critical', acknowledged: boolean) => ({
      organization_id: organizationId, alert_config_id: null, alert_config_name: 'c', status: 'open' as const, severity, rule_type: 'majors_behind' as const,
      deployed_version: '1.0.0', latest_version: '3.0.0', behind_by: 2, ...(acknowledged ? { acknowledged_at: new Date(), acknowledged_by: 'x' } : {}),
    });
    await db.insertInto('alerts').values([alert(a.organizationId, 'critical', false), alert(a.organizationId, 'high', true), alert(a.organizationId, 'high', false), alert(b.organizationId, 'moderate', false)]).execute();
    const summary = await client(api.url, a.keys.viewer).get('/api/v1/summary');
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({
      openAlerts: { moderate: 0, high: 2, critical: 1, total: 3 },
      unacknowledged: 2,
      unknownEvaluations: 0,
      unknownEvaluationSamples: [],
      tasksFailed24h: 0,
      deadDeliveries: 0,
      agents: { online: 0, offline: 0, draining: 0 },
      pendingTasksNoAgent: 0,
    });
    const unacknowledged = await client(api.url, a.keys.viewer).get('/api/v1/alerts?acknowledged=no&q=C');
    expect(unacknowledged.body.items.map((x: any) => x.severity).sort()).toEqual(['critical', 'high']);
  });
});

describe('the web UI files', () => {
  it('redirects / to /ui/, answers index.html for client routes (no-store) and hashed assets for good, with the CSP', async () => {
    const root = await fetch(`${api.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    const page = await fetch(`${api.url}/ui/alerts/123`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Planekeeper</title>');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'; script-src 'self'; style-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const asset = await fetch(`${api.url}/ui/assets/app-abc123.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('br');
    expect(await asset.text()).toBe('console.log("ui")');
    expect((await fetch(`${api.url}/ui/assets/gone-000.js`)).status).toBe(404);
    expect((await fetch(`${api.url}/ui/..%2f..%2fpackage.json`)).headers.get('content-type')).toContain('text/html');
  });
});
