import {
  acknowledgeAlert,
  conflict,
  decideAlert,
  notFound,
  unacknowledgeAlert,
  type OpenAlertState,
} from '@planekeeper/domain';
import type { Kysely, Transaction } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { AlertRow, Database } from '../schema.ts';
import { applyAlertChanges, type RecordedAlertEvent } from './apply-alert-changes.ts';

/** The lifecycle's view of an open alert row. */
export function openAlertState(row: AlertRow): OpenAlertState {
  return {
    severity: row.severity,
    deployedVersion: row.deployed_version,
    latestVersion: row.latest_version,
    behindBy: row.behind_by,
    acknowledged: row.acknowledged_at !== null,
  };
}

/**
 * The open alerts of the given configs, by config id. With `forUpdate` the rows are locked: take
 * the alert_configs locks first (the order every writer follows), then this.
 */
export async function findOpenAlerts(
  db: Kysely<Database> | Transaction<Database>,
  organizationId: string,
  alertConfigIds: readonly string[],
  options: { forUpdate?: boolean } = {},
): Promise<Map<string, AlertRow>> {
  if (alertConfigIds.length === 0) return new Map();
  let query = db
    .selectFrom('alerts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('alert_config_id', 'in', alertConfigIds)
    .where('status', '=', 'open')
    .orderBy('id');
  if (options.forUpdate) query = query.forUpdate();
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.alert_config_id as string, row]));
}

/** What an acknowledgement change did. */
export interface AcknowledgementResult {
  alert: AlertRow;
  /** Empty when the alert already was in the asked state (the call is idempotent). */
  events: RecordedAlertEvent[];
}

/**
 * A user acknowledges (or withdraws the acknowledgement of) an open alert, in the caller's
 * transaction: the alert row is locked, the lifecycle decides, and the change, its event and its
 * `alert.event` job are written together. Asking for the state the alert is already in writes nothing.
 * @throws PlanekeeperError not_found (not the organization's alert), conflict (the alert is resolved).
 */
export async function setAlertAcknowledged(
  trx: Transaction<Database>,
  boss: PgBoss,
  input: { organizationId: string; alertId: string; acknowledged: boolean; actor: string },
): Promise<AcknowledgementResult> {
  const { organizationId, alertId } = input;
  const current = await trx
    .selectFrom('alerts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', alertId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) throw notFound('alert', alertId);
  if (current.status !== 'open') {
    throw conflict(`alert ${alertId} is resolved; only an open alert can be ${input.acknowledged ? 'acknowledged' : 'unacknowledged'}`);
  }
  const state = openAlertState(current);
  const decision = input.acknowledged ? acknowledgeAlert(state) : unacknowledgeAlert(state);
  if (decision.action === 'none') return { alert: current, events: [] };
  const { events } = await applyAlertChanges(trx, boss, organizationId, [
    {
      // The config id links the alert to its change; a deleted config's alert is resolved, never open.
      alertConfigId: current.alert_config_id ?? current.id,
      alertConfigName: current.alert_config_name,
      ruleType: current.rule_type,
      current,
      decision,
      actor: input.actor,
    },
  ]);
  const alert = await trx.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
  return { alert, events };
}

/**
 * Resolves the open alert of a config that is being disabled or deleted (event `resolved` with
 * the alert's last severity), in the caller's transaction. The caller has locked the config row.
 * Nothing happens when the config has no open alert.
 */
export async function resolveOpenAlertOfConfig(
  trx: Transaction<Database>,
  boss: PgBoss,
  input: { organizationId: string; alertConfigId: string },
): Promise<RecordedAlertEvent[]> {
  const open = await findOpenAlerts(trx, input.organizationId, [input.alertConfigId], { forUpdate: true });
  const current = open.get(input.alertConfigId) ?? null;
  if (current === null) return [];
  const decision = decideAlert({ current: openAlertState(current), evaluation: { status: 'unknown' }, configActive: false });
  const { events } = await applyAlertChanges(trx, boss, input.organizationId, [
    { alertConfigId: input.alertConfigId, alertConfigName: current.alert_config_name, ruleType: current.rule_type, current, decision },
  ]);
  return events;
}
