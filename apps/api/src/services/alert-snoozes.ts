import type { AlertRow } from '@planekeeper/db';
import { SNOOZE_MAX_MS, snoozeAlert, unsnoozeAlert, validationFailed, type AlertSnoozeBody, type OrganizationId } from '@planekeeper/domain';
import type { ApiDeps } from '../deps.ts';
import { changeOpenAlert } from './change-open-alert.ts';

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
  const { snooze } = input;
  const now = deps.clock?.() ?? new Date();
  if (snooze?.until !== undefined) {
    const until = Date.parse(snooze.until);
    if (until <= now.getTime()) throw validationFailed([{ path: 'until', message: 'must be in the future' }], 'Invalid snooze: until must be in the future');
    if (until - now.getTime() > SNOOZE_MAX_MS) throw validationFailed([{ path: 'until', message: 'must be at most a year ahead' }], 'Invalid snooze: until must be at most a year ahead');
  }
  return changeOpenAlert(deps, { ...input, verb: snooze ? 'snoozed' : 'unsnoozed' }, (state, current) =>
    snooze
      ? snoozeAlert(state, {
          until: snooze.until === undefined ? null : new Date(snooze.until).toISOString(),
          latestVersion: snooze.untilLatestChanges === true ? current.latest_version : null,
          by: input.keyName,
          reason: snooze.reason ?? null,
        })
      : unsnoozeAlert(state),
  );
}
