/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { allRoutes } from '../../apps/api/src/http/routes/index.ts';
import type { RouteDefinition } from '../../apps/api/src/http/route.ts';
import { startApp, type RunningApp } from '../support/app-process.ts';
import { BOOTSTRAP_KEY } from '../support/stack.ts';
import { caller, makeTenantWorld, tenantSnapshot, type Call, type TenantWorld } from './tenants.ts';

// Generated from the api's own route table: a new route is covered (or fails here asking for a
// sample body) without anyone remembering to add a case.

let test: TestDatabase;
let api: RunningApp;
let call: Call;
let acme: TenantWorld;
let globex: TenantWorld;

beforeAll(async () => {
  test = await createTestDatabase();
  api = await startApp('api', { DATABASE_URL: test.url, PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, API_RATE_LIMIT_PER_MINUTE: '0' });
  call = caller(api.url);
  acme = await makeTenantWorld(call, test.db, 'acme', 'https://hooks.example.com');
  globex = await makeTenantWorld(call, test.db, 'globex', 'https://hooks.example.com');
});
afterAll(async () => {
  await api?.stop();
  await test?.destroy();
});

/** A body that gets past validation, so the answer shows what the handler does with the id. */
function sampleBody(route: RouteDefinition, victim: TenantWorld): unknown {
  const key = `${route.method} ${route.path}`;
  const samples: Record<string, unknown> = {
    'post /api/v1/agent/tasks/:id/lease': { leaseToken: victim.leaseToken },
    'post /api/v1/agent/tasks/:id/result': { leaseToken: victim.leaseToken, result: { releases: [] } },
    'post /api/v1/agent/tasks/:id/failure': { leaseToken: victim.leaseToken, error: { message: 'stolen', retryable: false } },
    'put /api/v1/scrape-jobs/:id/version': { version: '9.9.9' },
    'post /api/v1/organizations': { name: 'intruder' },
    'post /api/v1/api-keys': { name: 'intruder', role: 'admin' },
    'post /api/v1/gather-jobs': { name: 'intruder', sourceType: 'github_release', source: { owner: 'a', repo: 'b' }, schedule: '0 * * * *' },
    'post /api/v1/scrape-jobs': { name: 'intruder', parser: 'manual' },
    'post /api/v1/helm-sync-jobs': { name: 'intruder', repoUrl: 'https://charts.example.com', schedule: '0 * * * *' },
    'post /api/v1/rules': { name: 'intruder', type: 'days_behind', moderate: 1, high: 2, critical: 3, stableOnly: true },
    'post /api/v1/alert-configs': { name: 'intruder', gatherJobId: victim.ids['gather-jobs'], scrapeJobId: victim.ids['scrape-jobs'], ruleId: victim.ids.rules },
    'post /api/v1/notification-channels': { name: 'intruder', type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' },
    'post /api/v1/notification-rules': { name: 'intruder', channelId: victim.ids['notification-channels'], events: ['created'], severities: ['high'] },
    'post /api/v1/versions/parse': { tags: ['v1.2.3'], deployed: '1.2.3' },
    'post /api/v1/agent-enrollment-tokens': { name: 'intruder' },
    'post /api/v1/agents/:id/probes': { host: 'intranet.example.com', port: 22 },
    'post /api/v1/alerts/:id/snooze': { untilLatestChanges: true, reason: 'intruder' },
    'post /api/v1/agent/probes/:id/result': { agentId: victim.ids.agents, report: { outcome: 'succeeded', steps: [] } },
  };
  if (key in samples) return samples[key];
  if (!route.body) return undefined;
  if (route.method === 'patch') return route.body.safeParse({ name: 'hijacked' }).success ? { name: 'hijacked' } : {};
  if (route.body.safeParse({}).success) return {};
  throw new Error(`add a sample body for ${key} to the tenant-isolation test`);
}

const idRoutes = allRoutes.filter((r) => r.params && /:\w+/.test(r.path));
const listRoutes = allRoutes.filter((r) => r.method === 'get' && !/:\w+/.test(r.path) && r.access !== 'public');

describe('tenant isolation', () => {
  it('covers every route that takes an id', () => {
    expect(idRoutes.length).toBeGreaterThan(40);
  });

  it.each(idRoutes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    "%s with another organization's id answers 404 and changes nothing",
    async (_name, route) => {
      const segment = route.path.replace('/api/v1/', '').replace(/^agent\//, '').split('/')[0]!;
      const id = globex.ids[segment];
      if (!id) throw new Error(`no fixture id for /${segment}: add one to makeTenantWorld`);
      const before = await tenantSnapshot(test.db, globex.organizationId);
      const key = route.access === 'agent' ? acme.keys.agent : route.access === 'bootstrap' ? BOOTSTRAP_KEY : acme.keys.admin;
      const path = route.path.replace(/:\w+/, id);
      const answer = await call(route.method.toUpperCase(), path, sampleBody(route, globex), key);
      expect({ route: `${route.method} ${path}`, status: answer.status }).toEqual({ route: `${route.method} ${path}`, status: 404 });
      expect(JSON.stringify(answer.body)).not.toContain('globex');
      expect(await tenantSnapshot(test.db, globex.organizationId)).toEqual(before);
    },
  );

  it.each(listRoutes.map((r) => [r.path, r] as const))("%s lists none of another organization's objects", async (_name, route) => {
    const answer = await call('GET', `${route.path}?limit=500`, undefined, acme.keys.admin);
    expect(answer.status).toBe(200);
    const theirs = new Set(Object.values(globex.ids));
    // A list answers items; /me and /summary answer one object about the caller's organization.
    for (const item of (Array.isArray(answer.body.items) ? answer.body.items : [answer.body]) as any[]) {
      for (const value of Object.values(item)) expect(theirs.has(value as string) && value !== acme.organizationId).toBe(false);
    }
    expect(JSON.stringify(answer.body)).not.toContain('globex');
  });

  it("refuses references to another organization's objects in bodies and filters", async () => {
    const before = await tenantSnapshot(test.db, globex.organizationId);
    const claim = await call('POST', '/api/v1/agent/tasks/claim', { agentId: globex.ids.agents, max: 5 }, acme.keys.agent);
    expect(claim.status).toBe(404);
    const config = await call('POST', '/api/v1/alert-configs', { name: 'x', gatherJobId: globex.ids['gather-jobs'], scrapeJobId: globex.ids['scrape-jobs'], ruleId: globex.ids.rules }, acme.keys.admin);
    expect([400, 404]).toContain(config.status);
    const rule = await call('POST', '/api/v1/notification-rules', { name: 'x', channelId: globex.ids['notification-channels'], events: ['created'], severities: ['high'] }, acme.keys.admin);
    expect([400, 404]).toContain(rule.status);
    for (const filter of [
      `/api/v1/alerts?alertConfigId=${globex.ids['alert-configs']}`,
      `/api/v1/evaluations?alertConfigId=${globex.ids['alert-configs']}`,
      `/api/v1/tasks?jobId=${globex.ids['gather-jobs']}`,
      `/api/v1/deliveries?channelId=${globex.ids['notification-channels']}`,
    ]) {
      const answer = await call('GET', filter, undefined, acme.keys.admin);
      expect({ filter, status: answer.status, items: answer.body.items }).toEqual({ filter, status: 200, items: [] });
    }
    expect(await tenantSnapshot(test.db, globex.organizationId)).toEqual(before);
  });
});

describe('roles', () => {
  const writes = allRoutes.filter((r) => r.access === 'write' || r.access === 'admin' || r.access === 'bootstrap');

  it.each(writes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s is refused to a viewer key', async (_name, route) => {
    const path = route.path.replace(/:\w+/, acme.ids[route.path.replace('/api/v1/', '').split('/')[0]!] ?? '00000000-0000-0000-0000-000000000000');
    const answer = await call(route.method.toUpperCase(), path, sampleBody(route, acme), acme.keys.viewer);
    expect(answer.status).toBe(403);
  });

  it.each(allRoutes.filter((r) => r.access !== 'agent' && r.access !== 'public').map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    '%s is refused to an agent key',
    async (_name, route) => {
      const answer = await call(route.method.toUpperCase(), route.path.replace(/:\w+/, acme.ids.rules!), sampleBody(route, acme), acme.keys.agent);
      expect(answer.status).toBe(403);
    },
  );

  it('refuses a revoked key at once, on every kind of route', async () => {
    const key = await call('POST', '/api/v1/api-keys', { name: 'to revoke', role: 'admin' }, acme.keys.admin);
    expect((await call('GET', '/api/v1/rules', undefined, key.body.key)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/api-keys/${key.body.id}`, undefined, acme.keys.admin)).status).toBe(204);
    for (const route of ['/api/v1/rules', '/api/v1/alerts', '/api/v1/api-keys']) {
      expect((await call('GET', route, undefined, key.body.key)).status).toBe(401);
    }
  });
});
