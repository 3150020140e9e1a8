import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Insertable } from 'kysely';
import type { EvaluationsTable } from '@planekeeper/db';
import { makeAlertConfig } from '@planekeeper/db/testing';
import { evaluateRule, type ReleaseCandidate } from '@planekeeper/domain';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

/** A config with its latest evaluation, as the rules-engine writes it. */
async function evaluated(tenant: Tenant, evaluation: Partial<Insertable<EvaluationsTable>> = {}) {
  const config = await makeAlertConfig(api.test.db, tenant.organizationId);
  const row = await api.test.db
    .insertInto('evaluations')
    .values({
      alert_config_id: config.id,
      organization_id: tenant.organizationId,
      status: 'ok',
      deployed_version: '1.2',
      latest_version: 'v1.8.0',
      behind_by: 6,
      severity: 'critical',
      details: JSON.stringify({ ruleType: 'minors_behind', notes: [] }),
      ...evaluation,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { config, row };
}

describe('evaluations', () => {
  it('list the latest evaluation per config, unknown ones with their reason', async () => {
    const tenant = await makeTenant(api);
    const ok = await evaluated(tenant);
    const unknown = await evaluated(tenant, {
      status: 'unknown', reason: 'deployed version 9.9.9 is not among the 9 gathered releases of variant ""', deployed_version: '9.9.9', behind_by: null, severity: null,
    });
    const quiet = await evaluated(tenant, { deployed_version: 'v1.8.0', behind_by: 0, severity: null });
    const viewer = client(api.url, tenant.keys.viewer);
    const answer = await viewer.get('/api/v1/evaluations');
    expect(answer.status).toBe(200);
    expect(answer.body.nextCursor).toBeNull();
    expect(answer.body.items).toEqual([
      { id: quiet.config.id, alertConfigId: quiet.config.id, status: 'ok', reason: null, deployedVersion: 'v1.8.0', latestVersion: 'v1.8.0', behindBy: 0, severity: null, dateSource: null, notes: [], libyear: null, skipped: [], eol: null, explanation: null, evaluatedAt: quiet.row.evaluated_at.toISOString() },
      {
        id: unknown.config.id, alertConfigId: unknown.config.id, status: 'unknown', reason: 'deployed version 9.9.9 is not among the 9 gathered releases of variant ""',
        deployedVersion: '9.9.9', latestVersion: 'v1.8.0', behindBy: null, severity: null, dateSource: null, notes: [], libyear: null, skipped: [], eol: null, explanation: null, evaluatedAt: unknown.row.evaluated_at.toISOString(),
      },
      { id: ok.config.id, alertConfigId: ok.config.id, status: 'ok', reason: null, deployedVersion: '1.2', latestVersion: 'v1.8.0', behindBy: 6, severity: 'critical', dateSource: null, notes: [], libyear: null, skipped: [], eol: null, explanation: null, evaluatedAt: ok.row.evaluated_at.toISOString() },
    ]);

    const byConfig = await viewer.get(`/api/v1/evaluations?alertConfigId=${unknown.config.id}`);
    expect(byConfig.body.items.map((e: { id: string }) => e.id)).toEqual([unknown.config.id]);
    expect((await viewer.get('/api/v1/evaluations?status=unknown')).body.items.map((e: { id: string }) => e.id)).toEqual([unknown.config.id]);
    const first = await viewer.get('/api/v1/evaluations?limit=2');
    const second = await viewer.get(`/api/v1/evaluations?limit=2&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((e: { id: string }) => e.id)).toEqual([quiet.config.id, unknown.config.id, ok.config.id]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('give one config its latest evaluation, and 404 before it has one', async () => {
    const { config } = await evaluated(acme, { status: 'unknown', reason: 'no deployed version yet', deployed_version: null, behind_by: null, severity: null });
    const viewer = client(api.url, acme.keys.viewer);
    const answer = await viewer.get(`/api/v1/evaluations/${config.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ alertConfigId: config.id, status: 'unknown', reason: 'no deployed version yet', deployedVersion: null });
    const days = await evaluated(acme, {
      reason: 'release v1.2.0 has no publish date; days are counted from when it was first gathered (2025-01-01T00:00:00.000Z)',
      details: JSON.stringify({ ruleType: 'days_behind', dateSource: 'first_seen', notes: ['release v1.2.0 has no publish date; days are counted from when it was first gathered (2025-01-01T00:00:00.000Z)'] }),
    });
    expect((await viewer.get(`/api/v1/evaluations/${days.config.id}`)).body).toMatchObject({
      status: 'ok', dateSource: 'first_seen', notes: [expect.stringMatching(/no publish date/)], reason: expect.stringMatching(/no publish date/),
    });
    const fresh = await makeAlertConfig(api.test.db, acme.organizationId);
    expect((await viewer.get(`/api/v1/evaluations/${fresh.id}`)).status).toBe(404);
  });

  it('explain their answer: the family and variant compared within, the tags skipped, the date counted from', async () => {
    // Stored as the rules-engine stores it: the domain's evaluation, its explanation in details.
    const seen = new Date('2026-02-01T00:00:00Z');
    const releases: ReleaseCandidate[] = ['controller-v1.10.1', 'controller-v1.12.0', 'controller-v1.12', 'helm-chart-4.12.0', 'latest'].map((tag) => ({ tag, publishedAt: null, firstSeenAt: seen, prerelease: false }));
    const evaluation = evaluateRule({
      rule: { type: 'days_behind', moderate: 7, high: 14, critical: 28, stableOnly: true },
      deployedVersion: 'controller-v1.10.1', releases, now: new Date('2026-03-01T00:00:00Z'),
    });
    if (evaluation.status !== 'ok') throw new Error(evaluation.reason);
    const { config } = await evaluated(acme, {
      deployed_version: evaluation.deployedVersion, latest_version: evaluation.latestVersion, behind_by: evaluation.behindBy, severity: evaluation.severity,
      details: JSON.stringify({ ruleType: 'days_behind', dateSource: evaluation.dateSource, notes: evaluation.notes, explanation: evaluation.explanation }),
    });
    const expected = {
      family: 'controller-', familyChosenBy: 'deployed', variant: '', stableOnly: true,
      deployed: { tag: 'controller-v1.10.1', version: '1.10.1', resolvedAs: 'release', carriedBy: ['controller-v1.10.1'] },
      latest: { tag: 'controller-v1.12.0', version: '1.12.0' },
      counted: 2,
      skipped: [
        { reason: 'unparseable', count: 1, sample: ['latest'] },
        { reason: 'other_family', count: 1, sample: ['helm-chart-4.12.0'] },
        { reason: 'line_alias', count: 1, sample: ['controller-v1.12'] },
      ],
      countedFrom: { source: 'first_seen', tag: 'controller-v1.10.1', at: seen.toISOString() },
    };
    const viewer = client(api.url, acme.keys.viewer);
    const one = await viewer.get(`/api/v1/evaluations/${config.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ status: 'ok', latestVersion: 'controller-v1.12.0', behindBy: 28, severity: 'critical', dateSource: 'first_seen', explanation: expected });
    expect((await viewer.get(`/api/v1/evaluations?alertConfigId=${config.id}`)).body.items).toEqual([one.body]);

    // Unknown evaluations explain what they could; a details of another shape gives null, never a broken answer.
    const unknown = evaluateRule({ rule: { type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true }, deployedVersion: 'jammy-20240911.1', releases, now: seen });
    if (unknown.status !== 'unknown') throw new Error('expected unknown');
    const stored = await evaluated(acme, {
      status: 'unknown', reason: unknown.reason, deployed_version: unknown.deployedVersion, latest_version: null, behind_by: null, severity: null,
      details: JSON.stringify({ ruleType: 'majors_behind', notes: [], explanation: unknown.explanation }),
    });
    expect((await viewer.get(`/api/v1/evaluations/${stored.config.id}`)).body).toMatchObject({
      status: 'unknown', reason: expect.stringContaining('does not parse'),
      explanation: { family: null, variant: null, deployed: null, latest: null, counted: 0, skipped: [{ reason: 'unparseable', count: 1, sample: ['latest'] }] },
    });
    const odd = await evaluated(acme, { details: JSON.stringify({ ruleType: 'minors_behind', notes: [], explanation: { family: 7 } }) });
    expect((await viewer.get(`/api/v1/evaluations/${odd.config.id}`)).body).toMatchObject({ status: 'ok', explanation: null });
  });

  it('refuse malformed queries and ids, naming the fields', async () => {
    const viewer = client(api.url, acme.keys.viewer);
    const bad = await viewer.get('/api/v1/evaluations?alertConfigId=abc&status=fine&limit=501');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['query.alertConfigId', 'query.status', 'query.limit']));
    const path = await viewer.get('/api/v1/evaluations/abc');
    expect(path.status).toBe(400);
    expect(path.body.error.details).toEqual([expect.objectContaining({ path: 'params.alertConfigId' })]);
    expect((await viewer.get('/api/v1/evaluations?cursor=abc')).status).toBe(400);
  });

  it('are read-only and keep agent keys out', async () => {
    expect((await client(api.url, acme.keys.agent).get('/api/v1/evaluations')).status).toBe(403);
    expect((await client(api.url).get('/api/v1/evaluations')).status).toBe(401);
    expect((await client(api.url, acme.keys.admin).post('/api/v1/evaluations', {})).status).toBe(404);
  });

  it("never show another organization's evaluations", async () => {
    const theirs = await evaluated(globex);
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/evaluations/${theirs.config.id}`)).status).toBe(404);
    expect((await ours.get(`/api/v1/evaluations?alertConfigId=${theirs.config.id}`)).body.items).toEqual([]);
    expect((await ours.get('/api/v1/evaluations?limit=500')).body.items.map((e: { id: string }) => e.id)).not.toContain(theirs.config.id);
    expect((await client(api.url, globex.keys.viewer).get(`/api/v1/evaluations/${theirs.config.id}`)).status).toBe(200);
  });
});
