import { createBoss, sendJob, type Database } from '@planekeeper/db';
import { createTestDatabase, makeAlertConfig, makeGatherJob, makeRule, makeScrapeJob, type TestDatabase } from '@planekeeper/db/testing';
import { evaluateQueue, type EvaluatePayload, type OrganizationId } from '@planekeeper/domain';
import type { RunningService } from '@planekeeper/runtime';
import { startInProcess } from '@planekeeper/runtime/testing';
import { sql, type Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

export interface EngineUnderTest {
  test: TestDatabase;
  db: Kysely<Database>;
  service: RunningService;
  /** A pg-boss of the test's own, for sending jobs as the other services would. */
  boss: PgBoss;
  logs: string[];
  /** Sends an `evaluate` job, as the taskengine or the api would. */
  send(payload: EvaluatePayload): Promise<void>;
  /** Waits until no `evaluate` job is queued, retrying or running; throws if one failed. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const silent = { warn: () => undefined, error: () => undefined };

/**
 * Starts the real rules-engine in this process against a fresh database, or against `database`
 * (prepared by the test, which then owns it: stop() leaves it).
 */
export async function startRulesEngine(env: Record<string, string> = {}, options: { clock?: () => Date; database?: TestDatabase } = {}): Promise<EngineUnderTest> {
  const test = options.database ?? (await createTestDatabase());
  const engine = await startInProcess({
    name: 'rules-engine',
    loadConfig,
    createApp: (config, logger) => createApp(config, logger, options),
    env: { DATABASE_URL: test.url, PORT: '0', ...env },
  });
  const { logs, service } = engine;
  const boss = createBoss(test.url, { logger: silent, applicationName: 'rules-engine-test', max: 2, supervise: false });
  await boss.start();

  async function idle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await sql<{ busy: number; failed: number }>`
        SELECT count(*) FILTER (WHERE state IN ('created', 'retry', 'active'))::int AS busy,
               count(*) FILTER (WHERE state = 'failed')::int AS failed
          FROM pgboss.job WHERE name = ${evaluateQueue.name}`.execute(test.db);
      const { busy = 0, failed = 0 } = rows[0] ?? {};
      if (failed > 0) throw new Error(`${failed} evaluate jobs failed:\n${logs.filter((l) => l.includes('"level":"error"')).join('\n')}`);
      if (busy === 0) return;
      if (Date.now() > deadline) throw new Error(`evaluate jobs still busy after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  return {
    test,
    db: test.db,
    service,
    boss,
    logs,
    send: async (payload) => {
      await sendJob(boss, null, evaluateQueue, payload);
    },
    idle,
    stop: async () => {
      await boss.stop({ graceful: false, close: true });
      await engine.stop();
      if (!options.database) await test.destroy();
    },
  };
}

/** A release as a test gives it: a tag, or a tag with its dates and flag. */
export type ReleaseSpec = string | { tag: string; publishedAt?: Date | null; prerelease?: boolean; firstSeenAt?: Date };

/** Stores releases of a gather job, as the taskengine would after a gather. */
export async function addReleases(db: Kysely<Database>, organizationId: string, gatherJobId: string, releases: readonly ReleaseSpec[]): Promise<void> {
  if (releases.length === 0) return;
  await db
    .insertInto('releases')
    .values(
      releases.map((spec) => {
        const release = typeof spec === 'string' ? { tag: spec } : spec;
        return {
          organization_id: organizationId,
          gather_job_id: gatherJobId,
          tag: release.tag,
          published_at: release.publishedAt === undefined ? new Date('2025-01-01T00:00:00Z') : release.publishedAt,
          prerelease: release.prerelease ?? false,
          ...(release.firstSeenAt ? { first_seen_at: release.firstSeenAt } : {}),
        };
      }),
    )
    .execute();
}

/** Records a deployed version of a scrape job, as the taskengine would after a scrape. */
export async function setDeployed(db: Kysely<Database>, organizationId: string, scrapeJobId: string, version: string): Promise<void> {
  await db
    .insertInto('version_snapshots')
    .values({ organization_id: organizationId, scrape_job_id: scrapeJobId, version, source: 'agent', found_at: sql<Date>`clock_timestamp()` })
    .execute();
}

/** Every minor of 1.x from 1.0 to `last`, as `v1.N.0` tags. */
export function minorsUpTo(last: number): string[] {
  return Array.from({ length: last + 1 }, (_, minor) => `v1.${minor}.0`);
}

/** An alert config with its own gather job, scrape job and rule. */
export async function makeScenario(
  db: Kysely<Database>,
  organizationId: string,
  rule: { type: 'days_behind' | 'majors_behind' | 'minors_behind'; moderate: number; high: number; critical: number; stable_only?: boolean },
  options: { tagFilter?: string } = {},
) {
  const gatherJob = await makeGatherJob(db, organizationId, { tag_filter: options.tagFilter ?? null });
  const scrapeJob = await makeScrapeJob(db, organizationId);
  const ruleRow = await makeRule(db, organizationId, { name: `${rule.type} rule`, ...rule });
  const config = await makeAlertConfig(db, organizationId, { gather_job_id: gatherJob.id, scrape_job_id: scrapeJob.id, rule_id: ruleRow.id, name: `config ${Math.random().toString(36).slice(2, 8)}` });
  return { gatherJob, scrapeJob, rule: ruleRow, config };
}

/** The alerts of a config, oldest first. */
export async function alertsOf(db: Kysely<Database>, alertConfigId: string) {
  return db.selectFrom('alerts').selectAll().where('alert_config_id', '=', alertConfigId).orderBy('created_at').orderBy('id').execute();
}

/** The events of an alert, in the order they happened. */
export async function eventsOf(db: Kysely<Database>, alertId: string) {
  return db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('created_at').orderBy('id').execute();
}

/** The payloads of the `alert.event` jobs queued so far. */
export async function alertEventJobs(db: Kysely<Database>): Promise<Array<{ organizationId: string; alertEventId: string }>> {
  const { rows } = await sql<{ data: { organizationId: string; alertEventId: string } }>`
    SELECT data FROM pgboss.job WHERE name = 'alert.event' ORDER BY created_on`.execute(db);
  return rows.map((row) => row.data);
}

/** The latest evaluation of a config. */
export async function evaluationOf(db: Kysely<Database>, alertConfigId: string) {
  return db.selectFrom('evaluations').selectAll().where('alert_config_id', '=', alertConfigId).executeTakeFirst();
}

/**
 * Everything the rules-engine writes for an organization, without the times that legitimately
 * move on each evaluation: what at-least-once redelivery must leave unchanged.
 */
export async function stateOf(db: Kysely<Database>, organizationId: OrganizationId) {
  const alerts = await db
    .selectFrom('alerts')
    .select(['id', 'alert_config_id', 'status', 'severity', 'deployed_version', 'latest_version', 'behind_by', 'acknowledged_at', 'acknowledged_by', 'resolved_at'])
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  const events = await db
    .selectFrom('alert_events')
    .select(['id', 'alert_id', 'type', 'severity', 'deployed_version', 'latest_version', 'behind_by', 'actor', 'created_at'])
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  const evaluations = await db
    .selectFrom('evaluations')
    .select(['alert_config_id', 'status', 'reason', 'deployed_version', 'latest_version', 'behind_by', 'severity', 'details'])
    .where('organization_id', '=', organizationId)
    .orderBy('alert_config_id')
    .execute();
  const jobs = (await alertEventJobs(db)).filter((job) => job.organizationId === organizationId).map((job) => job.alertEventId).sort();
  return { alerts, events, evaluations, jobs };
}
