import { applyAlertChanges, findOpenAlerts, openAlertState, type AlertConfigRow, type Database, type RecordedAlertEvent } from '@planekeeper/db';
import { decideAlert, notFound, validationFailed, type AlertConfigCreate, type AlertConfigUpdate, type OrganizationId } from '@planekeeper/domain';
import type { Kysely, Transaction } from 'kysely';
import {
  deleteAlertConfig,
  findAlertConfig,
  insertAlertConfig,
  missingReferences,
  renameAlertsOfConfig,
  updateAlertConfig,
  type AlertConfigReferences,
} from '../db/alert-configs.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { enqueueEvaluation } from './evaluations.ts';

type AlertConfigDeps = Pick<ApiDeps, 'db' | 'boss' | 'logger'>;

async function assertReferences(db: Kysely<Database>, organizationId: OrganizationId, refs: AlertConfigReferences): Promise<void> {
  const details = await missingReferences(db, organizationId, refs);
  if (details.length > 0) throw validationFailed(details, `Invalid alert config: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
}

async function lockAlertConfig(trx: Transaction<Database>, organizationId: OrganizationId, id: string): Promise<AlertConfigRow> {
  const row = await findAlertConfig(trx, organizationId, id, { forUpdate: true });
  if (!row) throw notFound('alert config', id);
  return row;
}

/**
 * Resolves the open alert of a config that is being disabled or deleted (event `resolved` with
 * the alert's last severity), in the caller's transaction, which has locked the config row.
 * Nothing happens when the config has no open alert.
 */
async function resolveOpenAlertOfConfig(trx: Transaction<Database>, deps: AlertConfigDeps, organizationId: OrganizationId, alertConfigId: string): Promise<RecordedAlertEvent[]> {
  const current = (await findOpenAlerts(trx, organizationId, [alertConfigId], { forUpdate: true })).get(alertConfigId);
  if (current === undefined) return [];
  const decision = decideAlert({ current: openAlertState(current), evaluation: { status: 'unknown' }, configActive: false });
  const { events } = await applyAlertChanges(trx, deps.boss, organizationId, [
    { alertConfigId, alertConfigName: current.alert_config_name, ruleType: current.rule_type, current, decision },
  ]);
  return events;
}

function logResolved(deps: AlertConfigDeps, organizationId: OrganizationId, alertConfigId: string, events: RecordedAlertEvent[], why: string): void {
  for (const event of events) {
    deps.logger.info({ organizationId, alertConfigId, alertId: event.alertId, alertEventId: event.id, severity: event.severity }, `alert resolved: config ${why}`);
  }
}

/**
 * Creates an alert config whose gather job, scrape job and rule are the organization's (400
 * naming each field that is not), and asks for its first evaluation in the same transaction.
 */
export async function createAlertConfig(deps: AlertConfigDeps, organizationId: OrganizationId, body: AlertConfigCreate): Promise<AlertConfigRow> {
  return deps.db.transaction().execute(async (trx) => {
    await assertReferences(trx, organizationId, body);
    const row = await insertAlertConfig(trx, organizationId, body);
    if (row.enabled) {
      await enqueueEvaluation(deps.boss, trx, { organizationId, reason: 'alert_config_changed', target: { alertConfigId: row.id } });
    }
    return row;
  });
}

/**
 * Updates an alert config. An enabled config is re-evaluated (enqueued in the same transaction);
 * disabling one resolves its open alert here and now, with its `resolved` event and job.
 */
export async function changeAlertConfig(deps: AlertConfigDeps, organizationId: OrganizationId, id: string, body: AlertConfigUpdate): Promise<AlertConfigRow> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockAlertConfig(trx, organizationId, id);
    await assertReferences(trx, organizationId, body);
    const row = await updateAlertConfig(trx, organizationId, id, body);
    if (row.name !== current.name) await renameAlertsOfConfig(trx, organizationId, id, row.name);
    if (row.enabled) {
      await enqueueEvaluation(deps.boss, trx, { organizationId, reason: 'alert_config_changed', target: { alertConfigId: id } });
    } else {
      logResolved(deps, organizationId, id, await resolveOpenAlertOfConfig(trx, deps, organizationId, id), 'disabled');
    }
    return row;
  });
}

/**
 * Deletes an alert config. Its open alert is resolved first (the rules-engine could not find the
 * config afterwards); its alerts stay in history with the config's name.
 */
export async function removeAlertConfig(deps: AlertConfigDeps, organizationId: OrganizationId, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await lockAlertConfig(trx, organizationId, id);
    logResolved(deps, organizationId, id, await resolveOpenAlertOfConfig(trx, deps, organizationId, id), 'deleted');
    await deleteAlertConfig(trx, organizationId, id);
  });
}
