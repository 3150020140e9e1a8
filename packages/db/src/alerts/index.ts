export { applyAlertChanges, type AlertChange, type AppliedAlertChanges, type RecordedAlertEvent } from './apply-alert-changes.ts';
export { findOpenAlerts, openAlertState } from './open-alerts.ts';
