export { JOB_TABLE, TASK_JOB_COLUMN, gatherTaskSpec, helmSyncTaskSpec, scrapeTaskSpec, taskSpecForJob, type JobRowByKind, type TaskSpecByKind } from './task-spec.ts';
export { OPEN_TASK_STATUSES, cancelPendingTasks, createPendingTask, findOpenTask, pendingTaskValues, refreshPendingTask } from './tasks.ts';
export { recordVersionSnapshot, trimVersionSnapshots, type RecordedSnapshot, type VersionSnapshotInput } from './snapshots.ts';
export { upsertReleases, type ReleaseInput } from './releases.ts';
