import type { AlertRow } from '@planekeeper/db';
import { acknowledgeAlert, unacknowledgeAlert, type OrganizationId } from '@planekeeper/domain';
import type { ApiDeps } from '../deps.ts';
import { changeOpenAlert } from './change-open-alert.ts';

/**
 * Acknowledges an open alert, or withdraws the acknowledgement, on behalf of an API key: the alert
 * row is locked, the lifecycle decides, and the change, its event and its `alert.event` job commit
 * together. Asking for the state the alert is already in writes nothing.
 * @throws PlanekeeperError not_found (not the organization's alert), conflict (the alert is resolved).
 */
export async function setAcknowledgement(
  deps: Pick<ApiDeps, 'db' | 'boss' | 'logger'>,
  input: { organizationId: OrganizationId; alertId: string; acknowledged: boolean; keyName: string },
): Promise<AlertRow> {
  return changeOpenAlert(deps, { ...input, verb: input.acknowledged ? 'acknowledged' : 'unacknowledged' }, (state) =>
    input.acknowledged ? acknowledgeAlert(state) : unacknowledgeAlert(state),
  );
}
