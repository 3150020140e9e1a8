import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabase, type DatabaseHandle } from '@planekeeper/db';
import { makeGatherJob, makeOrganization, makeRule } from '@planekeeper/db/testing';
import { trustedOrganizationId, type EvaluatePayload, type OrganizationId } from '@planekeeper/domain';
import { createLogger, createMetricsRegistry, type RunningService } from '@planekeeper/runtime';
import { startInProcess, type ServiceUnderTest } from '@planekeeper/runtime/testing';
import { sql } from 'kysely';
import { Writable } from 'node:stream';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createRulesEngineMetrics } from '../src/metrics.ts';
import { evaluateAlertConfigs, evaluateTargets, type EvaluateDeps } from '../src/services/evaluate-alert-configs.ts';
import {
  addReleases,
  alertEventJobs,
  alertsOf,
  eventsOf,
  makeScenario,
  minorsUpTo,
  setDeployed,
  startRulesEngine,
  stateOf,
  type EngineUnderTest,
} from './helpers/rules-engine.ts';

// Each worker takes one job per fetch, so duplicates are not merged before they reach the database.
const ENV = { RULES_ENGINE_CONCURRENCY: '5', RULES_ENGINE_JOBS_PER_FETCH: '1' };

let engine: EngineUnderTest;
let replica: ServiceUnderTest<RunningService>;
let pool: DatabaseHandle;
let direct: EvaluateDeps;

beforeAll(async () => {
  engine = await startRulesEngine(ENV);
  // A second replica on the same database, as Kubernetes would run it.
  replica = await startInProcess({ name: 'rules-engine', loadConfig, createApp, env: { DATABASE_URL: engine.test.url, PORT: '0', LOG_LEVEL: 'silent', ...ENV } });
  const quiet = createLogger({ service: 'rules-engine', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  pool = createDatabase(engine.test.url, { max: 12 });
  direct = { db: pool.db, boss: engine.boss, logger: quiet, metrics: createRulesEngineMetrics(createMetricsRegistry('test')), clock: () => new Date(), batchSize: 2 };
});
afterAll(async () => {
  await pool.close();
  await replica.stop();
  await engine.stop();
});

const minors = { type: 'minors_behind', moderate: 2, high: 4, critical: 6 } as const;

/** A history of results as the taskengine would ingest them, each followed by its evaluate message. */
async function playHistory(org: string, copies: number): Promise<{ configIds: string[]; messages: EvaluatePayload[] }> {
  const a = await makeScenario(engine.db, org, minors);
  const b = await makeScenario(engine.db, org, { type: 'majors_behind', moderate: 1, high: 2, critical: 3 });
  const messages: EvaluatePayload[] = [];
  async function step(payload: EvaluatePayload) {
    messages.push(payload);
    for (let i = 0; i < copies; i++) await engine.send(payload);
    await engine.idle();
  }
  await addReleases(engine.db, org, a.gatherJob.id, minorsUpTo(4));
  await step({ organizationId: org, reason: 'gather_completed', target: { gatherJobId: a.gatherJob.id } });
  await setDeployed(engine.db, org, a.scrapeJob.id, '1.0');
  await step({ organizationId: org, reason: 'scrape_completed', target: { scrapeJobId: a.scrapeJob.id } });
  await addReleases(engine.db, org, a.gatherJob.id, ['v1.5.0', 'v1.6.0']);
  await step({ organizationId: org, reason: 'gather_completed', target: { gatherJobId: a.gatherJob.id } });
  await addReleases(engine.db, org, b.gatherJob.id, ['v1.0.0', 'v2.0.0', 'v3.0.0']);
  await setDeployed(engine.db, org, b.scrapeJob.id, '1.0.0');
  await step({ organizationId: org, reason: 'scrape_completed', target: { scrapeJobId: b.scrapeJob.id } });
  await setDeployed(engine.db, org, a.scrapeJob.id, '1.6');
  await step({ organizationId: org, reason: 'scrape_completed', target: { scrapeJobId: a.scrapeJob.id } });
  await step({ organizationId: org, reason: 'rule_changed', target: { ruleId: b.rule.id } });
  return { configIds: [a.config.id, b.config.id], messages };
}

async function historyOf(configIds: string[]) {
  const out = [];
  for (const id of configIds) {
    for (const alert of await alertsOf(engine.db, id)) {
      const events = await eventsOf(engine.db, alert.id);
      out.push({ status: alert.status, severity: alert.severity, behindBy: alert.behind_by, events: events.map((e) => [e.type, e.severity, e.deployed_version, e.behind_by]) });
    }
  }
  return out;
}

describe('at-least-once delivery', () => {
  it('delivering every evaluate message twice gives the same alerts and events as delivering it once', async () => {
    const once = await playHistory((await makeOrganization(engine.db, 'once')).id, 1);
    const twiceOrg = (await makeOrganization(engine.db, 'twice')).id;
    const twice = await playHistory(twiceOrg, 2);
    const expected = await historyOf(once.configIds);
    expect(expected).toEqual([
      { status: 'resolved', severity: 'critical', behindBy: 0, events: [['created', 'high', '1.0', 4], ['escalated', 'critical', '1.0', 6], ['resolved', 'critical', '1.6', 0]] },
      { status: 'open', severity: 'high', behindBy: 2, events: [['created', 'high', '1.0.0', 2]] },
    ]);
    expect(await historyOf(twice.configIds)).toEqual(expected);

    // Every event has exactly one alert.event job, however often the evaluation ran.
    const state = await stateOf(engine.db, twiceOrg);
    expect(state.jobs).toEqual(state.events.map((e) => e.id).sort());

    // Redelivering the whole history once more changes nothing at all.
    for (const message of twice.messages) {
      await engine.send(message);
      await engine.send(message);
    }
    await engine.idle();
    expect(await stateOf(engine.db, twiceOrg)).toEqual(state);
  });
});

describe('concurrent evaluations of one config', () => {
  it('ten at once, in two replicas and in-process, open one alert and record each change once', async () => {
    const org = (await makeOrganization(engine.db, 'racing')).id;
    const { gatherJob, scrapeJob, config, rule } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, minorsUpTo(8));
    await setDeployed(engine.db, org, scrapeJob.id, '1.5');
    const payload: EvaluatePayload = { organizationId: org, reason: 'scrape_completed', target: { alertConfigId: config.id } };

    await Promise.all([
      ...Array.from({ length: 10 }, () => engine.send(payload)),
      ...Array.from({ length: 10 }, () => evaluateAlertConfigs(direct, payload)),
    ]);
    await engine.idle();
    let alerts = await alertsOf(engine.db, config.id);
    expect(alerts).toHaveLength(1);
    expect((await eventsOf(engine.db, alerts[0]!.id)).map((e) => e.type)).toEqual(['created']);

    await setDeployed(engine.db, org, scrapeJob.id, '1.0');
    const targets: EvaluatePayload['target'][] = [{ alertConfigId: config.id }, { gatherJobId: gatherJob.id }, { scrapeJobId: scrapeJob.id }, { ruleId: rule.id }];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const message = { ...payload, target: targets[i % targets.length]! };
        return i % 2 === 0 ? engine.send(message) : evaluateAlertConfigs(direct, message);
      }),
    );
    await engine.idle();
    alerts = await alertsOf(engine.db, config.id);
    expect(alerts).toHaveLength(1);
    const events = await eventsOf(engine.db, alerts[0]!.id);
    expect(events.map((e) => [e.type, e.severity])).toEqual([['created', 'moderate'], ['escalated', 'critical']]);
    const queued = (await alertEventJobs(engine.db)).filter((job) => events.some((e) => e.id === job.alertEventId));
    expect(queued).toHaveLength(2);
  });

  it('overlapping batches of many configs, locked in one order, finish without deadlocks or duplicates', async () => {
    const org = (await makeOrganization(engine.db, 'overlap')).id;
    const first = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, first.gatherJob.id, minorsUpTo(8));
    const configs = [first];
    for (let i = 0; i < 7; i++) {
      const other = await makeScenario(engine.db, org, minors);
      await engine.db.updateTable('alert_configs').set({ gather_job_id: first.gatherJob.id, rule_id: first.rule.id }).where('id', '=', other.config.id).execute();
      configs.push(other);
    }
    for (const [i, c] of configs.entries()) await setDeployed(engine.db, org, c.scrapeJob.id, `1.${i}`);
    // batchSize 2: each gather-job evaluation runs four transactions that overlap with the others.
    const payloads: EvaluatePayload[] = [
      { organizationId: org, reason: 'gather_completed', target: { gatherJobId: first.gatherJob.id } },
      { organizationId: org, reason: 'rule_changed', target: { ruleId: first.rule.id } },
      ...configs.map((c) => ({ organizationId: org, reason: 'scheduled', target: { alertConfigId: c.config.id } })),
    ];
    await Promise.all([...payloads, ...payloads].map((p) => evaluateAlertConfigs(direct, p)));
    const severities = [];
    for (const c of configs) {
      const alerts = await alertsOf(engine.db, c.config.id);
      expect(alerts.length).toBeLessThanOrEqual(1);
      if (alerts[0]) expect(await eventsOf(engine.db, alerts[0].id)).toHaveLength(1);
      severities.push(alerts[0]?.severity ?? null);
    }
    expect(severities).toEqual(['critical', 'critical', 'critical', 'high', 'high', 'moderate', 'moderate', null]);
  });
});

/** Configs of two gather jobs under one rule: deployed 1.(n % 9), the 7th disabled, the 11th never scraped. */
async function makeFleet(name: string, configs: number) {
  const org = trustedOrganizationId((await makeOrganization(engine.db, name)).id);
  const gatherJobs = [await makeGatherJob(engine.db, org), await makeGatherJob(engine.db, org)];
  for (const job of gatherJobs) await addReleases(engine.db, org, job.id, minorsUpTo(8));
  const rule = await makeRule(engine.db, org, minors);
  await sql`
    WITH jobs AS (
      INSERT INTO scrape_jobs (organization_id, name, parser)
      SELECT ${org}::uuid, 'deployed ' || n, 'manual' FROM generate_series(1, ${configs}) n
      RETURNING id, substring(name from 10)::int AS n
    ), snapshots AS (
      INSERT INTO version_snapshots (organization_id, scrape_job_id, version, source, found_at)
      SELECT ${org}::uuid, id, '1.' || (n % 9), 'agent', now() - interval '1 hour' FROM jobs WHERE n <> 11
    )
    INSERT INTO alert_configs (organization_id, name, gather_job_id, scrape_job_id, rule_id, enabled)
    SELECT ${org}::uuid, 'config ' || lpad(n::text, 3, '0'), (${gatherJobs.map((job) => job.id)}::uuid[])[1 + n % 2], id, ${rule.id}::uuid, n <> 7
      FROM jobs`.execute(engine.db);
  return { org, gatherJobs, ruleId: rule.id };
}

/** What evaluating wrote for an organization, by config name: no ids or times, each event with the alert.event jobs that name it. */
async function outcomeOf(org: OrganizationId) {
  const { rows: evaluations } = await sql`
    SELECT c.name, e.status, e.reason, e.deployed_version, e.latest_version, e.behind_by, e.severity, e.details
      FROM evaluations e JOIN alert_configs c ON c.id = e.alert_config_id
     WHERE e.organization_id = ${org} ORDER BY c.name`.execute(engine.db);
  const { rows: alerts } = await sql`
    SELECT c.name, a.status, a.severity, a.deployed_version, a.latest_version, a.behind_by
      FROM alerts a JOIN alert_configs c ON c.id = a.alert_config_id
     WHERE a.organization_id = ${org} ORDER BY c.name, a.created_at`.execute(engine.db);
  const { rows: events } = await sql<{ name: string; type: string; jobs: number }>`
    SELECT c.name, ev.type, ev.severity, ev.deployed_version, ev.latest_version, ev.behind_by,
           (SELECT count(*)::int FROM pgboss.job j WHERE j.name = 'alert.event' AND j.data->>'alertEventId' = ev.id::text) AS jobs
      FROM alert_events ev JOIN alerts a ON a.id = ev.alert_id JOIN alert_configs c ON c.id = a.alert_config_id
     WHERE ev.organization_id = ${org} ORDER BY c.name, ev.created_at`.execute(engine.db);
  return { evaluations, alerts, events };
}

describe('batches of one target side by side', () => {
  it('write exactly the evaluations, alerts, events and alert.event jobs that batches one after another write', async () => {
    const CONFIGS = 60;
    const clock = () => new Date('2026-06-01T00:00:00Z');
    // Batches of 4: fifteen transactions per target, one at a time or four at once.
    const oneAtATime: EvaluateDeps = { ...direct, clock, batchSize: 4, batchConcurrency: 1 };
    const fourAtOnce: EvaluateDeps = { ...direct, clock, batchSize: 4, batchConcurrency: 4 };
    const serial = await makeFleet('serial', CONFIGS);
    const sideBySide = await makeFleet('side by side', CONFIGS);
    const byRule = (fleet: { org: OrganizationId; ruleId: string }): EvaluatePayload => ({ organizationId: fleet.org, reason: 'rule_changed', target: { ruleId: fleet.ruleId } });
    const byGatherJob = (fleet: { org: OrganizationId; gatherJobs: Array<{ id: string }> }): EvaluatePayload => ({
      organizationId: fleet.org,
      reason: 'gather_completed',
      target: { gatherJobId: fleet.gatherJobs[0]!.id },
    });

    // The first evaluation opens alerts.
    const first = await evaluateAlertConfigs(oneAtATime, byRule(serial));
    expect(await evaluateAlertConfigs(fourAtOnce, byRule(sideBySide))).toMatchObject({ configs: CONFIGS, ok: first.ok, unknown: first.unknown });
    const opened = await outcomeOf(serial.org);
    expect(opened.alerts.length).toBeGreaterThan(30);
    expect(opened.events.every((event) => event.jobs === 1)).toBe(true);
    expect(await outcomeOf(sideBySide.org)).toEqual(opened);

    // A new minor everywhere and every fifth config upgraded: alerts open, escalate and resolve.
    // Side by side, two overlapping targets are evaluated at the same time as well.
    for (const fleet of [serial, sideBySide]) {
      for (const job of fleet.gatherJobs) await addReleases(engine.db, fleet.org, job.id, ['v1.9.0']);
      await sql`
        INSERT INTO version_snapshots (organization_id, scrape_job_id, version, source, found_at)
        SELECT organization_id, scrape_job_id, '1.9', 'agent', now() FROM alert_configs
         WHERE organization_id = ${fleet.org} AND substring(name from 8)::int % 5 = 0`.execute(engine.db);
    }
    await evaluateAlertConfigs(oneAtATime, byRule(serial));
    await evaluateAlertConfigs(oneAtATime, byGatherJob(serial));
    await Promise.all([evaluateAlertConfigs(fourAtOnce, byRule(sideBySide)), evaluateAlertConfigs(fourAtOnce, byGatherJob(sideBySide))]);
    const changed = await outcomeOf(serial.org);
    expect(new Set(changed.events.map((event) => event.type))).toEqual(new Set(['created', 'escalated', 'resolved']));
    expect(changed.events.every((event) => event.jobs === 1)).toBe(true);
    expect(await outcomeOf(sideBySide.org)).toEqual(changed);

    // Nothing changed since: evaluating again, side by side, writes no event.
    await Promise.all([evaluateAlertConfigs(fourAtOnce, byRule(sideBySide)), evaluateAlertConfigs(fourAtOnce, byRule(sideBySide))]);
    expect(await outcomeOf(sideBySide.org)).toEqual(changed);
  });
});

describe('the targets of a burst evaluated together', () => {
  it('write what evaluating each target on its own writes, each config once', async () => {
    const CONFIGS = 24;
    const clock = () => new Date('2026-06-01T00:00:00Z');
    const deps: EvaluateDeps = { ...direct, clock, batchSize: 5, batchConcurrency: 2 };
    const each = await makeFleet('each on its own', CONFIGS);
    const together = await makeFleet('together', CONFIGS);
    // What finished scrapes send: one target per scrape job, and one config's twice.
    const byScrapeJob = async (fleet: { org: OrganizationId }): Promise<EvaluatePayload[]> => {
      const jobs = await engine.db.selectFrom('alert_configs').select('scrape_job_id').where('organization_id', '=', fleet.org).orderBy('name').execute();
      const payloads = jobs.map((job): EvaluatePayload => ({ organizationId: fleet.org, reason: 'scrape_completed', target: { scrapeJobId: job.scrape_job_id } }));
      return [...payloads, payloads[3]!];
    };
    for (const payload of await byScrapeJob(each)) await evaluateAlertConfigs(deps, payload);
    const summary = await evaluateTargets(deps, await byScrapeJob(together));
    expect(summary.configs).toBe(CONFIGS);
    const alone = await outcomeOf(each.org);
    expect(alone.alerts.length).toBeGreaterThan(10);
    expect(await outcomeOf(together.org)).toEqual(alone);
    // Again, nothing changed: no event.
    await evaluateTargets(deps, await byScrapeJob(together));
    expect(await outcomeOf(together.org)).toEqual(alone);
  });

  it('refuses targets of two organizations in one run', async () => {
    const [a, b] = [await makeFleet('one', 2), await makeFleet('two', 2)];
    await expect(evaluateTargets(direct, [a, b].map((fleet): EvaluatePayload => ({ organizationId: fleet.org, reason: 'rule_changed', target: { ruleId: fleet.ruleId } })))).rejects.toThrow('one organization at a time');
  });
});
