import type { Database } from '@planekeeper/db';
import type { EvaluationListQuery, OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/**
 * A page of the latest evaluation of each config, in the order of the configs (newest first):
 * evaluated_at moves on every evaluation, so paging by it would skip or repeat rows between pages.
 */
export async function listEvaluations(db: Kysely<Database>, organizationId: OrganizationId, filters: Pick<EvaluationListQuery, 'alertConfigId' | 'status'>, page: PageRequest) {
  let q = db
    .selectFrom('evaluations')
    .innerJoin('alert_configs', 'alert_configs.id', 'evaluations.alert_config_id')
    .selectAll('evaluations')
    .select(['alert_configs.id as id', createdAtKey('alert_configs').as('sort_key')])
    .where('evaluations.organization_id', '=', organizationId)
    .where('alert_configs.organization_id', '=', organizationId);
  if (filters.alertConfigId) q = q.where('evaluations.alert_config_id', '=', filters.alertConfigId);
  if (filters.status) q = q.where('evaluations.status', '=', filters.status);
  if (page.after) q = q.where(afterCreatedAt('alert_configs', page.after));
  return q.orderBy('alert_configs.created_at', 'desc').orderBy('alert_configs.id', 'desc').limit(page.limit + 1).execute();
}

export async function findEvaluation(db: Kysely<Database>, organizationId: OrganizationId, alertConfigId: string) {
  return db
    .selectFrom('evaluations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('alert_config_id', '=', alertConfigId)
    .executeTakeFirst();
}
