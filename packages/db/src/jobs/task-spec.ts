import {
  gatherTaskSpecSchema,
  helmSyncTaskSpecSchema,
  scrapeTaskSpecSchema,
  type GatherTaskSpec,
  type HelmSyncTaskSpec,
  type ScrapeTaskSpec,
  type TaskKind,
} from '@planekeeper/domain';
import type { GatherJobRow, HelmSyncJobRow, ScrapeJobRow } from '../schema.ts';

/** The job row behind each task kind. */
export interface JobRowByKind {
  gather: GatherJobRow;
  scrape: ScrapeJobRow;
  helm_sync: HelmSyncJobRow;
}

/** The spec an agent receives for each task kind. */
export interface TaskSpecByKind {
  gather: GatherTaskSpec;
  scrape: ScrapeTaskSpec;
  helm_sync: HelmSyncTaskSpec;
}

/** The tasks column that points at the job of each kind. */
export const TASK_JOB_COLUMN = {
  gather: 'gather_job_id',
  scrape: 'scrape_job_id',
  helm_sync: 'helm_sync_job_id',
} as const satisfies Record<TaskKind, string>;

/** The job table of each task kind. */
export const JOB_TABLE = {
  gather: 'gather_jobs',
  scrape: 'scrape_jobs',
  helm_sync: 'helm_sync_jobs',
} as const satisfies Record<TaskKind, string>;

/** A gather job's spec: its source, tag filter and the ETag of the last answer (conditional requests). */
export function gatherTaskSpec(job: Pick<GatherJobRow, 'source_type' | 'source' | 'tag_filter' | 'etag'>): GatherTaskSpec {
  return gatherTaskSpecSchema.parse({ sourceType: job.source_type, source: job.source, tagFilter: job.tag_filter, etag: job.etag });
}

/**
 * Whether a gather task's spec (as stored with the task) reads the job's current source: same
 * source type and settings, both as the spec schema gives them. The tag filter and ETag may
 * differ. False when either no longer makes a spec.
 */
export function readsCurrentSource(taskSpec: unknown, job: Pick<GatherJobRow, 'source_type' | 'source' | 'tag_filter' | 'etag'>): boolean {
  const before = gatherTaskSpecSchema.safeParse(taskSpec);
  const current = gatherTaskSpecSchema.safeParse({ sourceType: job.source_type, source: job.source, tagFilter: job.tag_filter, etag: job.etag });
  if (!before.success || !current.success) return false;
  return JSON.stringify([before.data.sourceType, before.data.source]) === JSON.stringify([current.data.sourceType, current.data.source]);
}

/**
 * A scrape job's spec: the file to read from git, or what to read in the cluster. Manual jobs
 * have no spec (nothing for an agent to read).
 * @throws Error when the job is manual or lacks the settings of its parser.
 */
export function scrapeTaskSpec(
  job: Pick<ScrapeJobRow, 'id' | 'parser' | 'repo_url' | 'ref' | 'file_path' | 'expression' | 'kubernetes' | 'helm_release'>,
): ScrapeTaskSpec {
  if (job.parser === 'manual') throw new Error(`scrape job ${job.id} is manual: it has no task to run`);
  if (job.parser === 'kubernetes') return scrapeTaskSpecSchema.parse({ parser: job.parser, kubernetes: job.kubernetes });
  if (job.parser === 'helm_release') return scrapeTaskSpecSchema.parse({ parser: job.parser, helmRelease: job.helm_release });
  return scrapeTaskSpecSchema.parse({ repoUrl: job.repo_url, ref: job.ref, filePath: job.file_path, parser: job.parser, expression: job.expression });
}

/** A helm sync job's spec: the repository and the chart filter. */
export function helmSyncTaskSpec(job: Pick<HelmSyncJobRow, 'repo_url' | 'chart_filter'>): HelmSyncTaskSpec {
  return helmSyncTaskSpecSchema.parse({ repoUrl: job.repo_url, chartFilter: job.chart_filter });
}

/**
 * What an agent needs to run one task of `job`, checked against the agent protocol's spec schema
 * (the claim answer hands it out as is).
 */
export function taskSpecForJob<K extends TaskKind>(kind: K, job: JobRowByKind[K]): TaskSpecByKind[K] {
  switch (kind) {
    case 'gather':
      return gatherTaskSpec(job as GatherJobRow) as TaskSpecByKind[K];
    case 'scrape':
      return scrapeTaskSpec(job as ScrapeJobRow) as TaskSpecByKind[K];
    default:
      return helmSyncTaskSpec(job as HelmSyncJobRow) as TaskSpecByKind[K];
  }
}
