import { containsPattern } from './name-search.ts';
import type { Database } from '@planekeeper/db';
import type { AlertConfigCreate, AlertConfigListQuery, AlertConfigUpdate, ErrorDetail, OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's alert configs, newest first, filtered by job, rule and enabled. */
export async function listAlertConfigs(db: Kysely<Database>, organizationId: OrganizationId, filters: AlertConfigListQuery, page: PageRequest) {
  let q = db.selectFrom('alert_configs').selectAll().select(createdAtKey('alert_configs').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (filters.gatherJobId) q = q.where('gather_job_id', '=', filters.gatherJobId);
  if (filters.scrapeJobId) q = q.where('scrape_job_id', '=', filters.scrapeJobId);
  if (filters.ruleId) q = q.where('rule_id', '=', filters.ruleId);
  if (filters.enabled) q = q.where('enabled', '=', filters.enabled === 'true');
  if (page.after) q = q.where(afterCreatedAt('alert_configs', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findAlertConfig(db: Kysely<Database>, organizationId: OrganizationId, id: string, options: { forUpdate?: boolean } = {}) {
  return db
    .selectFrom('alert_configs')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
}

/** The references a config body names. */
export type AlertConfigReferences = Pick<AlertConfigUpdate, 'gatherJobId' | 'scrapeJobId' | 'ruleId' | 'eolGatherJobId'>;

/**
 * The referenced gather job, scrape job and rule that are not the organization's, one detail per
 * field. Another organization's id reads exactly like one that does not exist.
 */
export async function missingReferences(db: Kysely<Database>, organizationId: OrganizationId, refs: AlertConfigReferences): Promise<ErrorDetail[]> {
  const checks = [
    { field: 'gatherJobId', what: 'gather job', table: 'gather_jobs', id: refs.gatherJobId },
    { field: 'scrapeJobId', what: 'scrape job', table: 'scrape_jobs', id: refs.scrapeJobId },
    { field: 'ruleId', what: 'rule', table: 'rules', id: refs.ruleId },
  ] as const;
  const details: ErrorDetail[] = [];
  for (const { field, what, table, id } of checks) {
    if (id === undefined) continue;
    const row = await db.selectFrom(table).select('id').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    if (!row) details.push({ path: field, message: `${what} ${id} not found` });
  }
  if (refs.eolGatherJobId) {
    const job = await db.selectFrom('gather_jobs').select('source_type').where('organization_id', '=', organizationId).where('id', '=', refs.eolGatherJobId).executeTakeFirst();
    if (!job) details.push({ path: 'eolGatherJobId', message: `gather job ${refs.eolGatherJobId} not found` });
    else if (job.source_type !== 'endoflife') details.push({ path: 'eolGatherJobId', message: `must be an endoflife gather job (this one is ${job.source_type})` });
  }
  return details;
}

export async function insertAlertConfig(db: Kysely<Database>, organizationId: OrganizationId, body: AlertConfigCreate) {
  return db
    .insertInto('alert_configs')
    .values({
      organization_id: organizationId,
      name: body.name,
      gather_job_id: body.gatherJobId,
      scrape_job_id: body.scrapeJobId,
      rule_id: body.ruleId,
      enabled: body.enabled ?? true,
      skip_versions: JSON.stringify(body.skipVersions ?? []),
      eol_gather_job_id: body.eolGatherJobId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateAlertConfig(db: Kysely<Database>, organizationId: OrganizationId, id: string, body: AlertConfigUpdate) {
  return db
    .updateTable('alert_configs')
    .set({
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.gatherJobId !== undefined ? { gather_job_id: body.gatherJobId } : {}),
      ...(body.scrapeJobId !== undefined ? { scrape_job_id: body.scrapeJobId } : {}),
      ...(body.ruleId !== undefined ? { rule_id: body.ruleId } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(body.skipVersions !== undefined ? { skip_versions: JSON.stringify(body.skipVersions) } : {}),
      ...(body.eolGatherJobId !== undefined ? { eol_gather_job_id: body.eolGatherJobId } : {}),
      updated_at: new Date(),
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Alerts show their config's name, also after it is deleted: a rename renames them all. */
export async function renameAlertsOfConfig(db: Kysely<Database>, organizationId: OrganizationId, alertConfigId: string, name: string): Promise<void> {
  await db
    .updateTable('alerts')
    .set({ alert_config_name: name })
    .where('organization_id', '=', organizationId)
    .where('alert_config_id', '=', alertConfigId)
    .execute();
}

export async function deleteAlertConfig(db: Kysely<Database>, organizationId: OrganizationId, id: string): Promise<void> {
  await db.deleteFrom('alert_configs').where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

/** An alert config of the organization that references the job, if any (such a job cannot be deleted). */
export async function findAlertConfigUsing(db: Kysely<Database>, organizationId: OrganizationId, job: { gatherJobId: string } | { scrapeJobId: string }) {
  return db
    .selectFrom('alert_configs')
    .select(['id', 'name'])
    .where('organization_id', '=', organizationId)
    .$if('gatherJobId' in job, (q) => {
      const id = (job as { gatherJobId: string }).gatherJobId;
      return q.where((eb) => eb.or([eb('gather_job_id', '=', id), eb('eol_gather_job_id', '=', id)]));
    })
    .$if('scrapeJobId' in job, (q) => q.where('scrape_job_id', '=', (job as { scrapeJobId: string }).scrapeJobId))
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}
