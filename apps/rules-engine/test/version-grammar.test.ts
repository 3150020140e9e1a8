import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBoss, createDatabase } from '@planekeeper/db';
import { createTestDatabase, makeAlert, makeAlertEvent, makeOrganization, type TestDatabase } from '@planekeeper/db/testing';
import { VERSION_GRAMMAR_REVISION } from '@planekeeper/domain';
import { createLogger } from '@planekeeper/runtime';
import { sql } from 'kysely';
import { followVersionGrammar } from '../src/services/follow-version-grammar.ts';
import { addReleases, alertEventJobs, alertsOf, evaluationOf, eventsOf, makeScenario, setDeployed, startRulesEngine, type EngineUnderTest } from './helpers/rules-engine.ts';

// A database whose evaluations and alerts were made by the grammar before issue 12 (revision 1),
// as an upgrade finds it: the rules-engine's start makes them follow the new answers, once.

let test: TestDatabase;
let engine: EngineUnderTest | undefined;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await engine?.stop();
  await test.destroy();
});

const majors = { type: 'majors_behind', moderate: 1, high: 2, critical: 3 } as const;

/** A config with its releases and deployed version, its evaluation and open alert as the old grammar left them. */
async function madeUnderOldGrammar(organizationId: string, spec: {
  tags: string[];
  deployed: string;
  old: { latest: string; behindBy: number; severity: 'moderate' | 'high' | 'critical' | null };
}) {
  const scenario = await makeScenario(test.db, organizationId, majors);
  await addReleases(test.db, organizationId, scenario.gatherJob.id, spec.tags);
  await setDeployed(test.db, organizationId, scenario.scrapeJob.id, spec.deployed);
  await test.db
    .insertInto('evaluations')
    .values({
      alert_config_id: scenario.config.id, organization_id: organizationId, status: 'ok', deployed_version: spec.deployed,
      latest_version: spec.old.latest, behind_by: spec.old.behindBy, severity: spec.old.severity,
      details: JSON.stringify({ ruleType: 'majors_behind', notes: [] }), evaluated_at: new Date('2026-01-01T00:00:00Z'),
    })
    .execute();
  let alertId: string | null = null;
  if (spec.old.severity !== null) {
    const values = { severity: spec.old.severity, deployed_version: spec.deployed, latest_version: spec.old.latest, behind_by: spec.old.behindBy };
    const alert = await makeAlert(test.db, organizationId, scenario.config.id, { alert_config_name: scenario.config.name, rule_type: 'majors_behind', ...values });
    await makeAlertEvent(test.db, organizationId, alert.id, { type: 'created', ...values });
    alertId = alert.id;
  }
  return { ...scenario, alertId };
}

async function storedRevision(): Promise<number> {
  return (await test.db.selectFrom('version_grammar').select('revision').executeTakeFirstOrThrow()).revision;
}

async function evaluateJobs(): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'evaluate'`.execute(test.db);
  return rows[0]!.n;
}

describe('an upgrade of the version grammar', () => {
  let ingress: Awaited<ReturnType<typeof madeUnderOldGrammar>>;
  let ubuntu: Awaited<ReturnType<typeof madeUnderOldGrammar>>;
  let odoo: Awaited<ReturnType<typeof madeUnderOldGrammar>>;

  it('corrects stored evaluations and open alerts at the rules-engine\'s start, with events as for a rule change', async () => {
    const acme = (await makeOrganization(test.db, 'Acme')).id;
    const globex = (await makeOrganization(test.db, 'Globex')).id;
    // ingress-nginx: the controller was three majors behind the Helm chart of the same repository.
    ingress = await madeUnderOldGrammar(acme, {
      tags: ['controller-v1.10.1', 'controller-v1.11.2', 'controller-v1.12.0', 'helm-chart-4.10.1', 'helm-chart-4.11.2', 'helm-chart-4.12.0'],
      deployed: 'controller-v1.10.1',
      old: { latest: 'helm-chart-4.12.0', behindBy: 3, severity: 'critical' },
    });
    // Ubuntu: 22.04 was twenty million majors behind jammy-20240911.1; it is two behind 24.04.
    ubuntu = await madeUnderOldGrammar(acme, {
      tags: ['jammy-20240911.1', 'noble-20240904.1', '20.04', '22.04', '24.04', 'jammy', 'latest'],
      deployed: '22.04',
      old: { latest: 'jammy-20240911.1', behindBy: 20_240_889, severity: 'critical' },
    });
    // odoo: each dated build was a variant of its own, so nobody was ever behind.
    odoo = await madeUnderOldGrammar(globex, {
      tags: ['17.0', '17.0-20240522', '17.0-20240924', '18.0', '18.0-20241001'],
      deployed: '17.0-20240522',
      old: { latest: '17.0-20240522', behindBy: 0, severity: null },
    });
    expect(await storedRevision()).toBe(1);

    engine = await startRulesEngine({}, { database: test });
    await engine.idle();

    expect(await evaluationOf(test.db, ingress.config.id)).toMatchObject({
      status: 'ok', latest_version: 'controller-v1.12.0', behind_by: 0, severity: null,
      details: { explanation: expect.objectContaining({ family: 'controller-', skipped: [expect.objectContaining({ reason: 'other_family', count: 3 })] }) },
    });
    const [ingressAlert] = await alertsOf(test.db, ingress.config.id);
    expect(ingressAlert).toMatchObject({ status: 'resolved', severity: 'critical' });
    const ingressEvents = await eventsOf(test.db, ingress.alertId!);
    expect(ingressEvents.map((e) => [e.type, e.severity])).toEqual([['created', 'critical'], ['resolved', 'critical']]);

    // A severity that falls updates the alert in place, without an event.
    expect(await alertsOf(test.db, ubuntu.config.id)).toEqual([expect.objectContaining({ status: 'open', severity: 'high', latest_version: '24.04', behind_by: 2 })]);
    expect((await eventsOf(test.db, ubuntu.alertId!)).map((e) => e.type)).toEqual(['created']);

    const [odooAlert, ...more] = await alertsOf(test.db, odoo.config.id);
    expect(more).toEqual([]);
    expect(odooAlert).toMatchObject({ status: 'open', severity: 'moderate', latest_version: '18.0-20241001', behind_by: 1 });
    const odooEvents = await eventsOf(test.db, odooAlert!.id);
    expect(odooEvents.map((e) => e.type)).toEqual(['created']);

    // The new events go to the notifier as any other.
    const queued = (await alertEventJobs(test.db)).map((job) => job.alertEventId);
    expect(queued).toEqual(expect.arrayContaining([ingressEvents[1]!.id, odooEvents[0]!.id]));
    expect(await storedRevision()).toBe(VERSION_GRAMMAR_REVISION);
    expect(engine.logs.filter((line) => line.includes('version grammar revised'))).toEqual([
      expect.stringMatching(new RegExp(`"from":1,"to":${VERSION_GRAMMAR_REVISION},"organizations":2,"gatherJobs":3`)),
    ]);
  });

  it('does it once: a later start finds the revision recorded and evaluates nothing', async () => {
    await engine!.stop();
    engine = undefined;
    const jobs = await evaluateJobs();
    const before = await evaluationOf(test.db, ingress.config.id);
    engine = await startRulesEngine({}, { database: test });
    await engine.idle();
    expect(await evaluateJobs()).toBe(jobs);
    expect(await evaluationOf(test.db, ingress.config.id)).toEqual(before);
    expect(engine.logs.some((line) => line.includes('version grammar revised'))).toBe(false);
  });

  it('is done by one of several replicas starting together, and never lowers a newer revision', async () => {
    await test.db.updateTable('version_grammar').set({ revision: 1 }).execute();
    const logger = createLogger({ service: 'rules-engine-test', level: 'silent' });
    const replicas = Array.from({ length: 3 }, () => ({
      handle: createDatabase(test.url, { max: 1 }),
      boss: createBoss(test.url, { logger: { warn: () => undefined, error: () => undefined }, applicationName: 'grammar-replica', max: 1, supervise: false }),
    }));
    try {
      await Promise.all(replicas.map((r) => r.boss.start()));
      const jobs = await evaluateJobs();
      const outcomes = await Promise.all(replicas.map((r) => followVersionGrammar({ db: r.handle.db, boss: r.boss, logger })));
      expect(outcomes.filter((o) => o !== null)).toEqual([{ from: 1, to: VERSION_GRAMMAR_REVISION, organizations: 2, gatherJobs: 3 }]);
      expect(await evaluateJobs()).toBe(jobs + 3);
      await engine!.idle();

      // A newer replica recorded a later grammar: an older one leaves it.
      await test.db.updateTable('version_grammar').set({ revision: VERSION_GRAMMAR_REVISION + 1 }).execute();
      expect(await followVersionGrammar({ db: replicas[0]!.handle.db, boss: replicas[0]!.boss, logger })).toBeNull();
      expect(await storedRevision()).toBe(VERSION_GRAMMAR_REVISION + 1);
    } finally {
      await Promise.all(replicas.map(async (r) => {
        await r.boss.stop({ graceful: false, close: true });
        await r.handle.close();
      }));
    }
  });
});
