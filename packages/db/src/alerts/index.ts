export { applyAlertChanges, type AlertChange, type AppliedAlertChanges, type RecordedAlertEvent } from './apply-alert-changes.ts';
export {
  findOpenAlerts,
  openAlertState,
  resolveOpenAlertOfConfig,
  setAlertAcknowledged,
  type AcknowledgementResult,
} from './alert-actions.ts';
