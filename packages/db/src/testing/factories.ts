import type { Insertable, Kysely } from 'kysely';
import type {
  AlertConfigsTable,
  AlertEventsTable,
  AlertsTable,
  AgentsTable,
  Database,
  GatherJobsTable,
  NotificationChannelsTable,
  RulesTable,
  ScrapeJobsTable,
  TasksTable,
} from '../schema.ts';

// Test factories: `makeX(db, overrides)` inserts a valid row and returns it. Overrides win.

type Overrides<T> = Partial<Insertable<T>>;

export async function makeOrganization(db: Kysely<Database>, name = 'Acme') {
  return db.insertInto('organizations').values({ name }).returningAll().executeTakeFirstOrThrow();
}

export async function makeAgent(db: Kysely<Database>, organizationId: string, overrides: Overrides<AgentsTable> = {}) {
  return db
    .insertInto('agents')
    .values({ organization_id: organizationId, name: `agent-${Math.random().toString(36).slice(2, 8)}`, capabilities: ['gather', 'scrape', 'helm_sync'], ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeGatherJob(db: Kysely<Database>, organizationId: string, overrides: Overrides<GatherJobsTable> = {}) {
  return db
    .insertInto('gather_jobs')
    .values({
      organization_id: organizationId,
      name: 'kubernetes releases',
      source_type: 'github_release',
      source: JSON.stringify({ owner: 'kubernetes', repo: 'kubernetes' }),
      schedule: '0 */6 * * *',
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeScrapeJob(db: Kysely<Database>, organizationId: string, overrides: Overrides<ScrapeJobsTable> = {}) {
  return db
    .insertInto('scrape_jobs')
    .values({
      organization_id: organizationId,
      name: 'deployed kubernetes',
      repo_url: 'https://git.example.com/platform/cluster.git',
      ref: 'main',
      file_path: 'cluster/versions.yaml',
      parser: 'yq',
      expression: '.kubernetes.version',
      schedule: '*/30 * * * *',
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeRule(db: Kysely<Database>, organizationId: string, overrides: Overrides<RulesTable> = {}) {
  return db
    .insertInto('rules')
    .values({ organization_id: organizationId, name: 'minors', type: 'minors_behind', moderate: 2, high: 4, critical: 6, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An alert config with its own gather job, scrape job and rule unless their ids are given. */
export async function makeAlertConfig(db: Kysely<Database>, organizationId: string, overrides: Overrides<AlertConfigsTable> = {}) {
  const gatherJobId = overrides.gather_job_id ?? (await makeGatherJob(db, organizationId)).id;
  const scrapeJobId = overrides.scrape_job_id ?? (await makeScrapeJob(db, organizationId)).id;
  const ruleId = overrides.rule_id ?? (await makeRule(db, organizationId)).id;
  return db
    .insertInto('alert_configs')
    .values({ organization_id: organizationId, name: 'kubernetes lag', gather_job_id: gatherJobId, scrape_job_id: scrapeJobId, rule_id: ruleId, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeAlert(db: Kysely<Database>, organizationId: string, alertConfigId: string, overrides: Overrides<AlertsTable> = {}) {
  return db
    .insertInto('alerts')
    .values({
      organization_id: organizationId,
      alert_config_id: alertConfigId,
      alert_config_name: 'kubernetes lag',
      status: 'open',
      severity: 'moderate',
      rule_type: 'minors_behind',
      deployed_version: '1.2.0',
      latest_version: '1.8.0',
      behind_by: 6,
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeAlertEvent(db: Kysely<Database>, organizationId: string, alertId: string, overrides: Overrides<AlertEventsTable> = {}) {
  return db
    .insertInto('alert_events')
    .values({ organization_id: organizationId, alert_id: alertId, type: 'created', severity: 'moderate', deployed_version: '1.2.0', latest_version: '1.8.0', behind_by: 6, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeTask(db: Kysely<Database>, organizationId: string, gatherJobId: string, overrides: Overrides<TasksTable> = {}) {
  return db
    .insertInto('tasks')
    .values({ organization_id: organizationId, kind: 'gather', gather_job_id: gatherJobId, spec: JSON.stringify({}), ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeChannel(db: Kysely<Database>, organizationId: string, overrides: Overrides<NotificationChannelsTable> = {}) {
  return db
    .insertInto('notification_channels')
    .values({ organization_id: organizationId, name: 'ops webhook', type: 'webhook', url: 'https://hooks.example.com/planekeeper', secret: 'whsec_dGVzdHNlY3JldA==', ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Releases of a gather job, as the taskengine stores what an agent gathered. */
export async function makeReleases(
  db: Kysely<Database>,
  organizationId: string,
  gatherJobId: string,
  releases: ReadonlyArray<{ tag: string; publishedAt?: string | null; prerelease?: boolean; url?: string | null }>,
) {
  if (releases.length === 0) return [];
  return db
    .insertInto('releases')
    .values(releases.map((r) => ({ organization_id: organizationId, gather_job_id: gatherJobId, tag: r.tag, published_at: r.publishedAt ?? null, prerelease: r.prerelease ?? false, url: r.url ?? null })))
    .returningAll()
    .execute();
}
