import { applyAlertChanges, openAlertState, type AlertRow } from '@planekeeper/db';
import { conflict, notFound, SNOOZE_MAX_MS, snoozeAlert, unsnoozeAlert, validationFailed, type AlertSnoozeBody, type OrganizationId } from '@planekeeper/domain';
import { findAlert } from '../db/alerts.queries.ts';
import type { ApiDeps } from '../deps.ts';

type SnoozeDeps = Pick<ApiDeps, 'db' | 'boss' | 'logger'> & { clock?: () => Date };

/**
 * Snoozes an open alert, or ends its snooze, on behalf of an API key: the alert row is locked, the
 * lifecycle decides, and the change, its event (`snoozed` / `unsnoozed`) and its `alert.event` job
 * commit together. A snooze until a time in the past or more than a year ahead is refused (400, `until`).
 * @throws PlanekeeperError not_found, conflict (the alert is resolved), validation_failed.
 */
export async function setSnooze(
  deps: SnoozeDeps,
  input: { organizationId: OrganizationId; alertId: string; keyName: string; snooze: AlertSnoozeBody | null },
): Promise<AlertRow> {
  const { organizationId, alertId, snooze } = input;
  const now = deps.clock?.() ?? new Date();
  if (snooze?.until !== undefined) {
    const until = Date.parse(snooze.until);
    if (until <= now.getTime()) throw validationFailed([{ path: 'until', message: 'must be in the future' }], 'Invalid snooze: until must be in the future');
    if (until - now.getTime() > SNOOZE_MAX_MS) throw validationFailed([{ path: 'until', message: 'must be at most a year ahead' }], 'Invalid snooze: until must be at most a year ahead');
  }
  const { alert, events } = await deps.db.transaction().execute(async (trx) => {
    const current = await findAlert(trx, organizationId, alertId, { forUpdate: true });
    if (!current) throw notFound('alert', alertId);
    if (current.status !== 'open') throw conflict(`alert ${alertId} is resolved; only an open alert can be ${snooze ? 'snoozed' : 'unsnoozed'}`);
    const state = openAlertState(current);
    const decision = snooze
      ? snoozeAlert(state, {
          until: snooze.until === undefined ? null : new Date(snooze.until).toISOString(),
          latestVersion: snooze.untilLatestChanges === true ? current.latest_version : null,
          by: input.keyName,
          reason: snooze.reason ?? null,
        })
      : unsnoozeAlert(state);
    if (decision.action === 'none') return { alert: current, events: [] };
    const applied = await applyAlertChanges(trx, deps.boss, organizationId, [
      {
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
