import { applyAlertChanges, openAlertState, type AlertRow } from '@planekeeper/db';
import { conflict, notFound, type AlertDecision, type OpenAlertState, type OrganizationId } from '@planekeeper/domain';
import { findAlert } from '../db/alerts.queries.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * A user's change to an open alert (acknowledge, snooze, and their undoing): the alert row is
 * locked, `decide` (the lifecycle) decides on its state, and the change, its event and its
 * `alert.event` job commit together. A decision of `none` writes nothing.
 * @throws PlanekeeperError not_found (not the organization's alert), conflict (the alert is resolved).
 */
export async function changeOpenAlert(
  deps: Pick<ApiDeps, 'db' | 'boss' | 'logger'>,
  input: { organizationId: OrganizationId; alertId: string; keyName: string; verb: string },
  decide: (state: OpenAlertState, current: AlertRow) => AlertDecision,
): Promise<AlertRow> {
  const { organizationId, alertId } = input;
  const { alert, events } = await deps.db.transaction().execute(async (trx) => {
    const current = await findAlert(trx, organizationId, alertId, { forUpdate: true });
    if (!current) throw notFound('alert', alertId);
    if (current.status !== 'open') throw conflict(`alert ${alertId} is resolved; only an open alert can be ${input.verb}`);
    const decision = decide(openAlertState(current), current);
    if (decision.action === 'none') return { alert: current, events: [] };
    const applied = await applyAlertChanges(trx, deps.boss, organizationId, [
      {
        // The config id links the alert to its change; a deleted config's alert is resolved, never open.
        alertConfigId: current.alert_config_id ?? current.id,
        alertConfigName: current.alert_config_name,
        ruleType: current.rule_type,
        current,
        decision,
        actor: input.keyName,
      },
    ]);
    const changed = await findAlert(trx, organizationId, alertId);
    if (!changed) throw new Error(`alert ${alertId} vanished within its own transaction`);
    return { alert: changed, events: applied.events };
  });
  for (const event of events) {
    deps.logger.info({ organizationId, alertId: alert.id, alertConfigId: alert.alert_config_id, alertEventId: event.id, actor: input.keyName }, `alert ${event.type}`);
  }
  return alert;
}
