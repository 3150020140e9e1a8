export { JOB_TABLE, gatherTaskSpec, helmSyncTaskSpec, readsCurrentSource, scrapeTaskSpec, taskSpecForJob, type JobRowByKind, type TaskSpecByKind } from './task-spec.ts';
export { OPEN_TASK_STATUSES, pendingTaskValues } from './tasks.ts';
export { recordVersionSnapshot, trimVersionSnapshots, type RecordedSnapshot, type VersionSnapshotInput } from './snapshots.ts';
export { releasesDigest } from './releases-digest.ts';
