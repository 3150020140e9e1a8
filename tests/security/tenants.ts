/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read field by field */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '@planekeeper/db';
import { makeAlert } from '@planekeeper/db/testing';
import { BOOTSTRAP_KEY } from '../support/stack.ts';

export type Call = (method: string, route: string, body?: unknown, key?: string) => Promise<{ status: number; body: any }>;

/** Makes a JSON caller for an api at `base`. */
export function caller(base: string): Call {
  return async (method, route, body, key = BOOTSTRAP_KEY) => {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    return { status: response.status, body: parsed };
  };
}

/** One organization with an object of every kind, made through the API (and the database for alerts). */
export interface TenantWorld {
  organizationId: string;
  keys: { admin: string; viewer: string; agent: string };
  /** Object ids by the route segment that addresses them (`rules`, `gather-jobs`, ...). */
  ids: Record<string, string>;
  leaseToken: string;
  secrets: string[];
}

async function ok(answer: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const { status, body } = await answer;
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function makeTenantWorld(call: Call, db: Kysely<Database>, name: string, webhookUrl: string): Promise<TenantWorld> {
  const created = await ok(call('POST', '/api/v1/organizations', { name }), 'organization');
  const admin = created.adminKey.key as string;
  const as = (method: string, route: string, body?: unknown) => ok(call(method, route, body, admin), `${method} ${route}`);
  const viewer = await as('POST', '/api/v1/api-keys', { name: 'viewer', role: 'viewer' });
  const agentKey = await as('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' });
  const rule = await as('POST', '/api/v1/rules', { name: `${name} rule`, type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true });
  const gather = await as('POST', '/api/v1/gather-jobs', { name: `${name} gather`, sourceType: 'github_release', source: { owner: 'acme', repo: 'widget' }, schedule: '0 0 1 1 *' });
  const scrape = await as('POST', '/api/v1/scrape-jobs', { name: `${name} manual`, parser: 'manual' });
  await as('PUT', `/api/v1/scrape-jobs/${scrape.id}/version`, { version: '1.0.0' });
  const helmSync = await as('POST', '/api/v1/helm-sync-jobs', { name: `${name} charts`, repoUrl: 'https://charts.example.com', schedule: '0 0 1 1 *', enabled: false });
  const config = await as('POST', '/api/v1/alert-configs', { name: `${name} config`, gatherJobId: gather.id, scrapeJobId: scrape.id, ruleId: rule.id });
  const channel = await as('POST', '/api/v1/notification-channels', { name: `${name} hook`, type: 'webhook', url: `${webhookUrl}/${name}` });
  const notificationRule = await as('POST', '/api/v1/notification-rules', { name: `${name} all`, channelId: channel.id, events: ['created'], severities: ['moderate', 'high', 'critical'] });
  const test = await as('POST', `/api/v1/notification-channels/${channel.id}/test`);
  const heartbeat = await ok(call('POST', '/api/v1/agent/heartbeat', { name: `${name}-agent`, version: '1', hostname: 'h', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 2 }, agentKey.key), 'heartbeat');
  await as('POST', `/api/v1/gather-jobs/${gather.id}/run`);
  const claim = await ok(call('POST', '/api/v1/agent/tasks/claim', { agentId: heartbeat.agentId, max: 1, wait: 2 }, agentKey.key), 'claim');
  const task = claim.tasks[0];
  const enrollmentToken = await as('POST', '/api/v1/agent-enrollment-tokens', { name: `${name} site`, maxUses: 2, expiresInSeconds: 3600 });
  const probe = await as('POST', `/api/v1/agents/${heartbeat.agentId}/probes`, { host: 'registry.example.com', port: 443 });
  // Alerts are only ever made by the rules-engine; here one is written straight in.
  const alert = await makeAlert(db, created.organization.id, config.id, { alert_config_name: config.name });
  return {
    organizationId: created.organization.id,
    keys: { admin, viewer: viewer.key, agent: agentKey.key },
    ids: {
      organizations: created.organization.id,
      'api-keys': viewer.id,
      agents: heartbeat.agentId,
      'gather-jobs': gather.id,
      upstreams: gather.id,
      'scrape-jobs': scrape.id,
      'helm-sync-jobs': helmSync.id,
      tasks: task.id,
      rules: rule.id,
      'alert-configs': config.id,
      alerts: alert.id,
      evaluations: config.id,
      'notification-channels': channel.id,
      'notification-rules': notificationRule.id,
      deliveries: test.id ?? test.deliveryId,
      'agent-enrollment-tokens': enrollmentToken.id,
      probes: probe.id,
    },
    leaseToken: task.leaseToken,
    secrets: [admin, viewer.key, agentKey.key, channel.secret, `${webhookUrl}/${name}`, enrollmentToken.token],
  };
}

/** Every row of the organization in every tenant table, for before/after comparison. */
export async function tenantSnapshot(db: Kysely<Database>, organizationId: string): Promise<Record<string, unknown[]>> {
  const { rows: tables } = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.columns
     WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY table_name`.execute(db);
  const snapshot: Record<string, unknown[]> = {};
  for (const { table_name } of tables) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table_name)} WHERE organization_id = ${organizationId} ORDER BY 1`.execute(db);
    // Key use is recorded by design; everything else must stay as it was.
    snapshot[table_name] = rows.map(({ last_used_at: _used, ...rest }) => rest);
  }
  return snapshot;
}
