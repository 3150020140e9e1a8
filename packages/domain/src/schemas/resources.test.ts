import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { alertConfigCreateSchema, alertConfigUpdateSchema } from './alert-configs.ts';
import { alertListQuerySchema, alertResponseSchema } from './alerts.ts';
import { apiKeyCreatedResponseSchema, apiKeyCreateSchema } from './api-keys.ts';
import { deliveryListQuerySchema } from './deliveries.ts';
import { evaluationResponseSchema } from './evaluations.ts';
import { helmSyncJobCreateSchema, helmSyncJobUpdateSchema } from './helm-sync-jobs.ts';
import { notificationRuleCreateSchema, notificationRuleUpdateSchema } from './notification-rules.ts';
import { organizationCreateSchema } from './organizations.ts';
import { schemaProblems } from './parse.ts';
import { taskListQuerySchema, taskSpecSchemaFor } from './tasks.ts';
import { webhookBodySchema, webhookEventType } from './webhooks.ts';

const UUID = '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
const UUID2 = '00000000-0000-0000-0000-000000000002';
const NOW = '2026-01-01T00:00:00.000Z';
const paths = (schema: z.ZodType, data: unknown) => schemaProblems(schema, data).map((p) => p.path);

describe.each<[string, z.ZodType, unknown, [string, unknown, string[]][]]>([
  ['api key create', apiKeyCreateSchema, { name: 'ci', role: 'member' }, [
    ['bad role', { name: 'ci', role: 'owner' }, ['role']],
    ['missing role', { name: 'ci' }, ['role']],
  ]],
  ['organization create', organizationCreateSchema, { name: 'Acme' }, [
    ['empty name', { name: '' }, ['name']],
    ['number name', { name: 5 }, ['name']],
    ['unknown key', { name: 'Acme', slug: 'acme' }, ['slug']],
  ]],
  ['helm sync job create', helmSyncJobCreateSchema, { name: 'bitnami', repoUrl: 'https://charts.bitnami.com/bitnami', chartFilter: '^(nginx|redis)$', schedule: '0 3 * * *', gatherSchedule: '0 */6 * * *' }, [
    ['bad chart filter', { name: 'b', repoUrl: 'https://charts.example', chartFilter: '(', schedule: '0 3 * * *' }, ['chartFilter']],
    ['chart filter with a lookahead', { name: 'b', repoUrl: 'https://charts.example', chartFilter: '^(?!legacy-)', schedule: '0 3 * * *' }, ['chartFilter']],
    ['bad gather schedule', { name: 'b', repoUrl: 'https://charts.example', schedule: '0 3 * * *', gatherSchedule: 'hourly' }, ['gatherSchedule']],
    ['missing schedule', { name: 'b', repoUrl: 'https://charts.example' }, ['schedule']],
    ['oci:// repo', { name: 'b', repoUrl: 'oci://registry.example/charts', schedule: '0 3 * * *' }, ['repoUrl']],
  ]],
  ['alert config create', alertConfigCreateSchema, { name: 'nginx prod', gatherJobId: UUID, scrapeJobId: UUID2, ruleId: UUID, enabled: true }, [
    ['non-uuid id', { name: 'x', gatherJobId: 'abc', scrapeJobId: UUID, ruleId: UUID }, ['gatherJobId']],
    ['missing rule', { name: 'x', gatherJobId: UUID, scrapeJobId: UUID }, ['ruleId']],
  ]],
  ['notification rule create', notificationRuleCreateSchema, { name: 'page', channelId: UUID, events: ['created', 'escalated'], severities: ['critical'] }, [
    ['no events', { name: 'p', channelId: UUID, events: [], severities: ['high'] }, ['events']],
    ['unknown event', { name: 'p', channelId: UUID, events: ['opened'], severities: ['high'] }, ['events.0']],
    ['repeated severity', { name: 'p', channelId: UUID, events: ['created'], severities: ['high', 'high'] }, ['severities']],
    ['unknown severity', { name: 'p', channelId: UUID, events: ['created'], severities: ['low'] }, ['severities.0']],
  ]],
])('%s', (_name, schema, valid, invalid) => {
  it('accepts a valid body', () => {
    expect(paths(schema, valid)).toEqual([]);
  });
  it.each(invalid)('refuses %s', (_case, body, expected) => {
    expect(paths(schema, body)).toEqual(expected);
  });
});

describe('updates take any subset', () => {
  it.each<[string, z.ZodType, unknown]>([
    ['alert config enabled only', alertConfigUpdateSchema, { enabled: false }],
    ['helm sync chartFilter cleared', helmSyncJobUpdateSchema, { chartFilter: null }],
    ['notification rule severities only', notificationRuleUpdateSchema, { severities: ['moderate', 'high'] }],
    ['empty body', notificationRuleUpdateSchema, {}],
  ])('%s', (_name, schema, body) => {
    expect(paths(schema, body)).toEqual([]);
  });

  it('still validates the fields given', () => {
    expect(paths(notificationRuleUpdateSchema, { events: [] })).toEqual(['events']);
    expect(paths(alertConfigUpdateSchema, { ruleId: 'nope' })).toEqual(['ruleId']);
  });
});

describe('responses and queries', () => {
  const alert = {
    id: UUID, alertConfigId: null, alertConfigName: 'nginx', ruleType: 'minors_behind', status: 'resolved', severity: 'high',
    deployedVersion: 'v1.2.0', latestVersion: 'v1.8.0', behindBy: 6, acknowledged: false, acknowledgedAt: null,
    acknowledgedBy: null, createdAt: NOW, updatedAt: NOW, resolvedAt: NOW,
  };

  it('an alert whose config was deleted keeps a null alertConfigId', () => {
    expect(paths(alertResponseSchema, alert)).toEqual([]);
  });

  it('an unknown evaluation has null versions and severity, and one stored before explanations a null explanation', () => {
    const evaluation = { id: UUID, alertConfigId: UUID, status: 'unknown', reason: 'deployed version 1.x does not parse', deployedVersion: null, latestVersion: null, behindBy: null, severity: null, explanation: null, evaluatedAt: NOW };
    expect(paths(evaluationResponseSchema, evaluation)).toEqual([]);
    expect(paths(evaluationResponseSchema, { ...evaluation, explanation: undefined })).toEqual(['explanation']);
  });

  it('list queries coerce limit from the query string and default it to 50', () => {
    expect(alertListQuerySchema.parse({ status: 'open' })).toEqual({ limit: 50, status: 'open' });
    expect(alertListQuerySchema.parse({ limit: '500', alertConfigId: UUID })).toEqual({ limit: 500, alertConfigId: UUID });
    expect(paths(alertListQuerySchema, { limit: '501' })).toEqual(['limit']);
    expect(paths(alertListQuerySchema, { limit: '0' })).toEqual(['limit']);
    expect(paths(deliveryListQuerySchema, { status: 'lost' })).toEqual(['status']);
    expect(paths(taskListQuerySchema, { jobId: UUID, kind: 'scrape', status: 'pending' })).toEqual([]);
  });

  it('the created api key carries the key once', () => {
    const key = { id: UUID, name: 'ci', role: 'admin', keyPrefix: 'pk_abcd', createdAt: NOW, lastUsedAt: null, revokedAt: null };
    expect(paths(apiKeyCreatedResponseSchema, { ...key, key: 'pk_secret' })).toEqual([]);
    expect(paths(apiKeyCreatedResponseSchema, { ...key, key: 'secret' })).toEqual(['key']);
  });

  it('task specs are typed by kind and tolerate added fields', () => {
    expect(taskSpecSchemaFor('helm_sync').parse({ repoUrl: 'https://c.example', chartFilter: null, future: 1 })).toEqual({ repoUrl: 'https://c.example', chartFilter: null });
    const gather = taskSpecSchemaFor('gather').parse({ sourceType: 'github_release', source: { owner: 'a', repo: 'b' }, tagFilter: null, etag: null });
    expect(gather.sourceType).toBe('github_release');
  });

  it('the generic webhook body', () => {
    expect(webhookEventType('escalated')).toBe('alert.escalated');
    const body = { type: 'alert.resolved', timestamp: NOW, data: { alert, alertConfig: { id: UUID, name: 'nginx' } } };
    expect(paths(webhookBodySchema, body)).toEqual([]);
    expect(paths(webhookBodySchema, { ...body, type: 'resolved' })).toEqual(['type']);
  });
});
