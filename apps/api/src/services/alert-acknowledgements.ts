import { setAlertAcknowledged, type AlertRow } from '@planekeeper/db';
import type { ApiDeps } from '../deps.ts';

/**
 * Acknowledges an open alert, or withdraws the acknowledgement, on behalf of an API key: the
 * change, its event and the `alert.event` job commit together. Asking again for the state the
 * alert is already in writes nothing.
 */
export async function setAcknowledgement(
  deps: Pick<ApiDeps, 'db' | 'boss' | 'logger'>,
  input: { organizationId: string; alertId: string; acknowledged: boolean; keyName: string },
): Promise<AlertRow> {
  const { alert, events } = await deps.db
    .transaction()
    .execute((trx) => setAlertAcknowledged(trx, deps.boss, { organizationId: input.organizationId, alertId: input.alertId, acknowledged: input.acknowledged, actor: input.keyName }));
  for (const event of events) {
    deps.logger.info({ organizationId: input.organizationId, alertId: alert.id, alertConfigId: alert.alert_config_id, alertEventId: event.id, actor: input.keyName }, `alert ${event.type}`);
  }
  return alert;
}
