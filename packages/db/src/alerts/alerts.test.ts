import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { acknowledgeAlert, decideAlert, type OrganizationId } from '@planekeeper/domain';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { createBoss } from '../queue.ts';
import { createTestDatabase, makeAlert, makeAlertConfig, makeOrganization, type TestDatabase } from '../testing/index.ts';
import { applyAlertChanges, findOpenAlerts, openAlertState } from './index.ts';

let test: TestDatabase;
let boss: PgBoss;
let org: OrganizationId;

beforeAll(async () => {
  test = await createTestDatabase();
  boss = createBoss(test.url, { logger: { warn: () => undefined, error: () => undefined }, applicationName: 'db-alerts-test', max: 2, supervise: false });
  await boss.start();
  org = (await makeOrganization(test.db)).id;
});
afterAll(async () => {
  await boss.stop({ graceful: false, close: true });
  await test.destroy();
});

async function eventsOf(alertId: string) {
  return test.db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('created_at').orderBy('id').execute();
}

async function queuedEventIds(): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT data->>'alertEventId' AS id FROM pgboss.job WHERE name = 'alert.event'`.execute(test.db);
  return rows.map((row) => row.id);
}

describe('applyAlertChanges', () => {
  it('opens, updates and resolves in one call, with events in decision order and one alert.event job each', async () => {
    const toOpen = await makeAlertConfig(test.db, org);
    const toEscalate = await makeAlertConfig(test.db, org);
    const toResolve = await makeAlertConfig(test.db, org);
    const escalating = await makeAlert(test.db, org, toEscalate.id, { severity: 'moderate', acknowledged_at: new Date(), acknowledged_by: 'ops' });
    const resolving = await makeAlert(test.db, org, toResolve.id, { severity: 'high' });
    const ok = (severity: 'moderate' | 'high' | 'critical' | null, deployedVersion: string) =>
      ({ status: 'ok', severity, deployedVersion, latestVersion: 'v1.8.0', behindBy: 6 }) as const;

    const result = await test.db.transaction().execute((trx) =>
      applyAlertChanges(trx, boss, org, [
        { alertConfigId: toOpen.id, alertConfigName: 'new one', ruleType: 'minors_behind', current: null, decision: decideAlert({ current: null, evaluation: ok('high', '1.2'), configActive: true }) },
        {
          alertConfigId: toEscalate.id, alertConfigName: 'kubernetes lag', ruleType: 'minors_behind', current: escalating,
          decision: decideAlert({ current: openAlertState(escalating), evaluation: ok('critical', '1.1'), configActive: true }),
        },
        {
          alertConfigId: toResolve.id, alertConfigName: 'kubernetes lag', ruleType: 'minors_behind', current: resolving,
          decision: decideAlert({ current: openAlertState(resolving), evaluation: ok(null, '1.8'), configActive: true }),
        },
      ]),
    );
    expect(result.events.map((e) => e.type).sort()).toEqual(['created', 'escalated', 'resolved', 'unacknowledged']);
    expect((await queuedEventIds()).sort()).toEqual(expect.arrayContaining(result.events.map((e) => e.id).sort()));

    const opened = (await findOpenAlerts(test.db, org, [toOpen.id])).get(toOpen.id);
    expect(opened).toMatchObject({ alert_config_name: 'new one', severity: 'high', deployed_version: '1.2', status: 'open' });
    expect(result.alertIds.get(toOpen.id)).toBe(opened?.id);
    const escalated = await test.db.selectFrom('alerts').selectAll().where('id', '=', escalating.id).executeTakeFirstOrThrow();
    expect(escalated).toMatchObject({ severity: 'critical', deployed_version: '1.1', acknowledged_at: null, acknowledged_by: null });
    expect((await eventsOf(escalating.id)).map((e) => [e.type, e.severity])).toEqual([['unacknowledged', 'critical'], ['escalated', 'critical']]);
    const resolved = await test.db.selectFrom('alerts').selectAll().where('id', '=', resolving.id).executeTakeFirstOrThrow();
    // Resolved with its last severity, showing the deployed version that resolved it.
    expect(resolved).toMatchObject({ status: 'resolved', severity: 'high', deployed_version: '1.8' });
    expect((await eventsOf(resolving.id)).map((e) => [e.type, e.severity, e.deployed_version])).toEqual([['resolved', 'high', '1.8']]);
  });

  it('rolls back everything, jobs included, when an alert it was told about is no longer open', async () => {
    const config = await makeAlertConfig(test.db, org);
    const alert = await makeAlert(test.db, org, config.id, { status: 'resolved', resolved_at: new Date() });
    const before = await queuedEventIds();
    await expect(
      test.db.transaction().execute((trx) =>
        applyAlertChanges(trx, boss, org, [
          { alertConfigId: config.id, alertConfigName: 'x', ruleType: 'minors_behind', current: alert, decision: acknowledgeAlert(openAlertState(alert)) },
        ]),
      ),
    ).rejects.toThrow(/open alerts expected/);
    expect(await eventsOf(alert.id)).toHaveLength(0);
    expect(await queuedEventIds()).toEqual(before);
  });
});
