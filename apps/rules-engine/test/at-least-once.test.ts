import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabase, type DatabaseHandle } from '@planekeeper/db';
import { makeOrganization } from '@planekeeper/db/testing';
import type { EvaluatePayload } from '@planekeeper/domain';
import { createLogger, createMetricsRegistry, type RunningService } from '@planekeeper/runtime';
import { startInProcess, type ServiceUnderTest } from '@planekeeper/runtime/testing';
import { Writable } from 'node:stream';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createRulesEngineMetrics } from '../src/metrics.ts';
import { evaluateAlertConfigs, type EvaluateDeps } from '../src/services/evaluate-alert-configs.ts';
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
