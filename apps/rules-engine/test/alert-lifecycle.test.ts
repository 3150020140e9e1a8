import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyAlertChanges, openAlertState } from '@planekeeper/db';
import { makeOrganization } from '@planekeeper/db/testing';
import { acknowledgeAlert, type OrganizationId } from '@planekeeper/domain';
import { sql } from 'kysely';
import {
  addReleases,
  alertEventJobs,
  alertsOf,
  evaluationOf,
  eventsOf,
  makeScenario,
  minorsUpTo,
  setDeployed,
  startRulesEngine,
  type EngineUnderTest,
} from './helpers/rules-engine.ts';

let engine: EngineUnderTest;
let org: OrganizationId;

beforeAll(async () => {
  engine = await startRulesEngine();
  org = (await makeOrganization(engine.db, 'Acme')).id;
});
afterAll(() => engine.stop());

const DAY = 24 * 60 * 60 * 1000;
const minors = { type: 'minors_behind', moderate: 2, high: 4, critical: 6 } as const;

async function evaluate(target: { alertConfigId: string } | { gatherJobId: string } | { scrapeJobId: string } | { ruleId: string }, reason = 'scheduled') {
  await engine.send({ organizationId: org, reason, target });
  await engine.idle();
}

/** A user acknowledges an alert, written as the api writes it: the lifecycle's decision, its event and job. */
async function acknowledge(alertId: string, actor: string) {
  await engine.db.transaction().execute(async (trx) => {
    const alert = await trx.selectFrom('alerts').selectAll().where('organization_id', '=', org).where('id', '=', alertId).forUpdate().executeTakeFirstOrThrow();
    const change = { alertConfigId: alert.alert_config_id!, alertConfigName: alert.alert_config_name, ruleType: alert.rule_type, current: alert, decision: acknowledgeAlert(openAlertState(alert)), actor };
    await applyAlertChanges(trx, engine.boss, org, [change]);
  });
}

describe('the rules-engine', () => {
  it('opens the right alert when a gather result is followed by a scrape result', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(8));
    await evaluate({ gatherJobId: gatherJob.id }, 'gather_completed');
    expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'unknown', reason: 'no deployed version yet' });
    expect(await alertsOf(engine.db, config.id)).toHaveLength(0);

    await setDeployed(engine.db, org, scrapeJob.id, '1.2');
    await evaluate({ scrapeJobId: scrapeJob.id }, 'scrape_completed');
    const [alert, ...more] = await alertsOf(engine.db, config.id);
    expect(more).toHaveLength(0);
    // The seed's example: 1.2 with every minor up to 1.8 released is 6 minors behind.
    expect(alert).toMatchObject({ status: 'open', severity: 'critical', deployed_version: '1.2', latest_version: 'v1.8.0', behind_by: 6, rule_type: 'minors_behind', alert_config_name: config.name });
    const events = await eventsOf(engine.db, alert!.id);
    expect(events.map((e) => [e.type, e.severity])).toEqual([['created', 'critical']]);
    expect(await alertEventJobs(engine.db)).toContainEqual({ organizationId: org, alertEventId: events[0]!.id });
    expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'ok', deployed_version: '1.2', latest_version: 'v1.8.0', behind_by: 6, severity: 'critical', reason: null });
  });

  it('resolves the alert when a newer deployed version is no longer behind, carrying the last severity', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(5));
    await setDeployed(engine.db, org, scrapeJob.id, 'v1.1.0');
    await evaluate({ scrapeJobId: scrapeJob.id });
    expect((await alertsOf(engine.db, config.id))[0]).toMatchObject({ status: 'open', severity: 'high', behind_by: 4 });

    await setDeployed(engine.db, org, scrapeJob.id, 'v1.5.0');
    await evaluate({ scrapeJobId: scrapeJob.id });
    const [alert] = await alertsOf(engine.db, config.id);
    expect(alert).toMatchObject({ status: 'resolved', severity: 'high', resolved_at: expect.any(Date) });
    expect((await eventsOf(engine.db, alert!.id)).map((e) => [e.type, e.severity])).toEqual([['created', 'high'], ['resolved', 'high']]);
    expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'ok', behind_by: 0, severity: null });

    // Falling behind again opens a new alert; the resolved one stays in history.
    await addReleases(engine.db, org, gatherJob.id, ['v1.6.0', 'v1.7.0', 'v1.8.0']);
    await evaluate({ gatherJobId: gatherJob.id });
    const alerts = await alertsOf(engine.db, config.id);
    expect(alerts.map((a) => [a.status, a.severity])).toEqual([['resolved', 'high'], ['open', 'moderate']]);
  });

  it('escalates in place when the gap grows, and lowers the severity without an event when it shrinks', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(4));
    await setDeployed(engine.db, org, scrapeJob.id, '1.2.0');
    await evaluate({ scrapeJobId: scrapeJob.id });
    await addReleases(engine.db, org, gatherJob.id, ['v1.5.0', 'v1.6.0', 'v1.7.0']);
    await evaluate({ gatherJobId: gatherJob.id });
    const alerts = await alertsOf(engine.db, config.id);
    expect(alerts).toHaveLength(1);
    let alert = alerts[0];
    expect(alert).toMatchObject({ status: 'open', severity: 'high', behind_by: 5, latest_version: 'v1.7.0' });
    expect((await eventsOf(engine.db, alert!.id)).map((e) => [e.type, e.severity])).toEqual([['created', 'moderate'], ['escalated', 'high']]);

    await setDeployed(engine.db, org, scrapeJob.id, '1.4.0');
    await evaluate({ scrapeJobId: scrapeJob.id });
    [alert] = await alertsOf(engine.db, config.id);
    expect(alert).toMatchObject({ status: 'open', severity: 'moderate', behind_by: 3, deployed_version: '1.4.0' });
    expect(await eventsOf(engine.db, alert!.id)).toHaveLength(2);
  });

  it('clears an acknowledgement when the deployed version changes, then escalates if the severity rose', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(4));
    await setDeployed(engine.db, org, scrapeJob.id, '1.2.0');
    await evaluate({ scrapeJobId: scrapeJob.id });
    const [opened] = await alertsOf(engine.db, config.id);
    await acknowledge(opened!.id, 'oncall key');

    // Re-evaluating the same situation keeps the acknowledgement.
    await evaluate({ alertConfigId: config.id });
    expect((await alertsOf(engine.db, config.id))[0]).toMatchObject({ acknowledged_by: 'oncall key', acknowledged_at: expect.any(Date) });

    // A different deployed version, still violating at the same severity: unacknowledged only.
    await setDeployed(engine.db, org, scrapeJob.id, '1.1.0');
    await evaluate({ scrapeJobId: scrapeJob.id });
    let [alert] = await alertsOf(engine.db, config.id);
    expect(alert).toMatchObject({ status: 'open', severity: 'moderate', acknowledged_at: null, acknowledged_by: null, deployed_version: '1.1.0' });

    await acknowledge(opened!.id, 'oncall key');
    // The deployed version rolls back further and the gap reaches critical: unacknowledged, then escalated.
    await setDeployed(engine.db, org, scrapeJob.id, '1.0.0');
    await addReleases(engine.db, org, gatherJob.id, ['v1.5.0', 'v1.6.0']);
    await evaluate({ scrapeJobId: scrapeJob.id });
    [alert] = await alertsOf(engine.db, config.id);
    expect(alert).toMatchObject({ status: 'open', severity: 'critical', behind_by: 6, acknowledged_at: null });
    const events = await eventsOf(engine.db, alert!.id);
    expect(events.map((e) => [e.type, e.severity, e.actor])).toEqual([
      ['created', 'moderate', null],
      ['acknowledged', 'moderate', 'oncall key'],
      ['unacknowledged', 'moderate', null],
      ['acknowledged', 'moderate', 'oncall key'],
      ['unacknowledged', 'critical', null],
      ['escalated', 'critical', null],
    ]);
    const queued = (await alertEventJobs(engine.db)).map((job) => job.alertEventId);
    for (const event of events) expect(queued).toContain(event.id);
  });

  it('gives the seed examples their severities: v1 vs v3 is 2 majors, a 90-day-old release is critical', async () => {
    const majors = await makeScenario(engine.db, org, { type: 'majors_behind', moderate: 1, high: 2, critical: 3 });
    await addReleases(engine.db, org, majors.gatherJob.id, ['v1.0.0', 'v1.4.2', 'v2.0.0', 'v3.0.0', 'v3.1.0']);
    await setDeployed(engine.db, org, majors.scrapeJob.id, 'v1.4.2');
    await evaluate({ scrapeJobId: majors.scrapeJob.id });
    expect((await alertsOf(engine.db, majors.config.id))[0]).toMatchObject({ severity: 'high', behind_by: 2, latest_version: 'v3.1.0' });

    const days = await makeScenario(engine.db, org, { type: 'days_behind', moderate: 30, high: 60, critical: 90 });
    const now = Date.now();
    await addReleases(engine.db, org, days.gatherJob.id, [
      { tag: '2.3.0', publishedAt: new Date(now - 90 * DAY - 60_000) },
      { tag: '2.4.0', publishedAt: new Date(now - 10 * DAY) },
    ]);
    await setDeployed(engine.db, org, days.scrapeJob.id, '2.3.0');
    await evaluate({ scrapeJobId: days.scrapeJob.id });
    expect((await alertsOf(engine.db, days.config.id))[0]).toMatchObject({ severity: 'critical', behind_by: 90, latest_version: '2.4.0' });
    expect((await evaluationOf(engine.db, days.config.id))?.details).toMatchObject({ dateSource: 'published', ruleType: 'days_behind' });
  });

  it('says when a days count comes from the first-gathered time of a release without a publish date', async () => {
    const days = await makeScenario(engine.db, org, { type: 'days_behind', moderate: 30, high: 60, critical: 90 });
    await addReleases(engine.db, org, days.gatherJob.id, [
      { tag: '16.1-alpine', publishedAt: null, firstSeenAt: new Date(Date.now() - 45 * DAY) },
      { tag: '16.2-alpine', publishedAt: null },
    ]);
    await setDeployed(engine.db, org, days.scrapeJob.id, '16.1-alpine');
    await evaluate({ scrapeJobId: days.scrapeJob.id });
    const evaluation = await evaluationOf(engine.db, days.config.id);
    expect(evaluation).toMatchObject({ status: 'ok', severity: 'moderate', behind_by: 45, latest_version: '16.2-alpine', reason: expect.stringMatching(/no publish date/) });
    // The explanation is stored beside it, for the API to serve.
    expect(evaluation?.details).toMatchObject({
      dateSource: 'first_seen',
      explanation: {
        family: '', familyChosenBy: 'deployed', variant: 'alpine', stableOnly: true, counted: 2, skipped: [],
        deployed: { tag: '16.1-alpine', version: '16.1.0-alpine', resolvedAs: 'release' },
        latest: { tag: '16.2-alpine', version: '16.2.0-alpine' },
        countedFrom: { source: 'first_seen', tag: '16.1-alpine' },
      },
    });
  });

  it('records an unknown deployed version as unknown with a reason and leaves the alert alone', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(8));
    await setDeployed(engine.db, org, scrapeJob.id, '9.9.9');
    await evaluate({ scrapeJobId: scrapeJob.id });
    expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'unknown', deployed_version: '9.9.9', reason: expect.stringMatching(/not among/) });
    expect(await alertsOf(engine.db, config.id)).toHaveLength(0);

    await setDeployed(engine.db, org, scrapeJob.id, '1.3');
    await evaluate({ scrapeJobId: scrapeJob.id });
    const [open] = await alertsOf(engine.db, config.id);
    expect(open).toMatchObject({ status: 'open', severity: 'high' });
    for (const bad of ['latest', '20-alpine']) {
      await setDeployed(engine.db, org, scrapeJob.id, bad);
      await evaluate({ scrapeJobId: scrapeJob.id });
      expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/does not parse/) });
    }
    const [still] = await alertsOf(engine.db, config.id);
    expect(still).toMatchObject({ id: open!.id, status: 'open', severity: 'high', deployed_version: '1.3' });
    expect(await eventsOf(engine.db, open!.id)).toHaveLength(1);
  });

  it('resolves the alert of a disabled config and evaluates it no longer', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(8));
    await setDeployed(engine.db, org, scrapeJob.id, '1.5');
    await evaluate({ alertConfigId: config.id });
    await engine.db.updateTable('alert_configs').set({ enabled: false }).where('id', '=', config.id).execute();
    await evaluate({ alertConfigId: config.id });
    const [alert] = await alertsOf(engine.db, config.id);
    expect(alert).toMatchObject({ status: 'resolved', severity: 'moderate' });
    expect((await eventsOf(engine.db, alert!.id)).map((e) => [e.type, e.severity])).toEqual([['created', 'moderate'], ['resolved', 'moderate']]);
    await setDeployed(engine.db, org, scrapeJob.id, '1.0');
    await evaluate({ scrapeJobId: scrapeJob.id });
    expect(await alertsOf(engine.db, config.id)).toHaveLength(1);
  });

  it('re-evaluates every config of a rule when the rule changes', async () => {
    const first = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, first.gatherJob.id, minorsUpTo(8));
    await setDeployed(engine.db, org, first.scrapeJob.id, '1.5');
    await evaluate({ alertConfigId: first.config.id });
    expect((await alertsOf(engine.db, first.config.id))[0]).toMatchObject({ severity: 'moderate' });
    await engine.db.updateTable('rules').set({ moderate: 1, high: 2, critical: 3 }).where('id', '=', first.rule.id).execute();
    await evaluate({ ruleId: first.rule.id }, 'rule_changed');
    const [alert] = await alertsOf(engine.db, first.config.id);
    expect(alert).toMatchObject({ severity: 'critical' });
    expect((await eventsOf(engine.db, alert!.id)).map((e) => e.type)).toEqual(['created', 'escalated']);
  });

  it('honours the tag filter and stable only', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, { ...minors, stable_only: true }, { tagFilter: '^v1\\.' });
    await addReleases(engine.db, org, gatherJob.id, [...minorsUpTo(4), 'v1.5.0-rc.1', { tag: 'v1.6.0', prerelease: true }, 'v2.0.0']);
    await setDeployed(engine.db, org, scrapeJob.id, '1.1.0');
    await evaluate({ alertConfigId: config.id });
    expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'ok', latest_version: 'v1.4.0', behind_by: 3, severity: 'moderate' });
  });

  it('ignores a target of another organization and a config that no longer exists', async () => {
    const other = (await makeOrganization(engine.db, 'Globex')).id;
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(8));
    await setDeployed(engine.db, org, scrapeJob.id, '1.0');
    await engine.send({ organizationId: other, reason: 'scheduled', target: { gatherJobId: gatherJob.id } });
    await engine.send({ organizationId: org, reason: 'scheduled', target: { alertConfigId: '00000000-0000-4000-8000-000000000000' } });
    await engine.idle();
    expect(await evaluationOf(engine.db, config.id)).toBeUndefined();
    expect(await alertsOf(engine.db, config.id)).toHaveLength(0);
  });

  it('dead-letters an evaluate job whose payload does not parse, with its reason logged, without retrying it', async () => {
    await engine.boss.send('evaluate', { organizationId: org, reason: 'scheduled', target: { nothing: true } });
    const marker = JSON.stringify({ target: { nothing: true } });
    const deadline = Date.now() + 10_000;
    let state: string | undefined;
    while (Date.now() < deadline && state !== 'failed') {
      const { rows } = await sql<{ state: string }>`SELECT state FROM pgboss.job WHERE name = 'evaluate' AND data @> ${marker}::jsonb`.execute(engine.db);
      state = rows[0]?.state;
      if (state !== 'failed') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(state).toBe('failed');
    const { rows } = await sql<{ retry_count: number }>`SELECT retry_count FROM pgboss.job WHERE name = 'evaluate' AND data @> ${marker}::jsonb`.execute(engine.db);
    expect(rows[0]?.retry_count).toBe(0);
    const { rows: dead } = await sql<{ name: string }>`SELECT name FROM pgboss.job WHERE source_name = 'evaluate' AND data @> ${marker}::jsonb`.execute(engine.db);
    expect(dead).toEqual([{ name: 'dead-letters' }]);
    expect(engine.logs.map((line) => JSON.parse(line))).toContainEqual(expect.objectContaining({ level: 'error', queue: 'evaluate', msg: 'evaluate job with an invalid payload: dead-lettered', reason: expect.stringMatching(/target/) }));
    // Leave the queue clean for the idle checks of the tests that follow.
    await sql`DELETE FROM pgboss.job WHERE name = 'evaluate' AND data @> ${marker}::jsonb`.execute(engine.db);
  });
});

describe('ops endpoints', () => {
  it('answer /healthz, /readyz and /metrics with the evaluation counters', async () => {
    const base = `http://127.0.0.1:${engine.service.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: true, migrations: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/planekeeper_evaluations_total\{status="ok",service="rules-engine"\} \d+/);
    expect(metrics).toMatch(/planekeeper_evaluations_total\{status="unknown",service="rules-engine"\} \d+/);
    expect(metrics).toMatch(/planekeeper_alert_events_total\{type="created",service="rules-engine"\} \d+/);
    expect(metrics).toMatch(/planekeeper_evaluation_batch_duration_seconds_count\{service="rules-engine"\} \d+/);
  });
});
