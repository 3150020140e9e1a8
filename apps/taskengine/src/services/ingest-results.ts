import { gatherTaskSpec, helmSyncTaskSpec, recordVersionSnapshot, scrapeTaskSpec, type Database } from '@planekeeper/db';
import {
  gatherResultSchema,
  gatherTaskSpecSchema,
  helmRepoSourceSchema,
  helmSyncResultSchema,
  helmSyncTaskSpecSchema,
  nextRunAt,
  scrapeResultSchema,
  scrapeTaskSpecSchema,
  type GatherResult,
  type GatherTaskSpec,
  type HelmSyncResult,
  type ScrapeResult,
} from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { lockGatherJob, lockHelmSyncJob, lockScrapeJob, setGatherEtag, type ReportedTask } from '../db/ingestion.queries.ts';
import { upsertReleases } from '../db/releases.queries.ts';
import { upsertSyncedGatherJobs } from '../db/synced-gather-jobs.queries.ts';

/**
 * What ingesting one result did. `outdated`: the job was changed after the task was made (another
 * source, file or repository), so the result describes something the job no longer reads and
 * is dropped; the next run reads the new settings. `invalid`: the stored result does not parse.
 * `missing`: the job is gone.
 */
export interface KindOutcome {
  outcome: 'ingested' | 'outdated' | 'missing' | 'invalid';
  /** What to evaluate afterwards, if anything. */
  evaluate?: { reason: 'gather_completed'; target: { gatherJobId: string } } | { reason: 'scrape_completed'; target: { scrapeJobId: string } };
  /** Counts and ids for the log line; `problem` says why a result is invalid. */
  details?: Record<string, unknown>;
}

/** Parses the stored result by the task's kind and ingests it. */
export async function ingestResult(db: Kysely<Database>, task: ReportedTask, now: Date): Promise<KindOutcome> {
  const invalid = (error: z.ZodError): KindOutcome => ({ outcome: 'invalid', details: { problem: `result could not be ingested: ${error.issues[0]?.message ?? 'wrong shape'}` } });
  switch (task.kind) {
    case 'gather': {
      const parsed = gatherResultSchema.safeParse(task.result);
      return parsed.success ? ingestGatherResult(db, task, parsed.data) : invalid(parsed.error);
    }
    case 'scrape': {
      const parsed = scrapeResultSchema.safeParse(task.result);
      return parsed.success ? ingestScrapeResult(db, task, parsed.data) : invalid(parsed.error);
    }
    default: {
      const parsed = helmSyncResultSchema.safeParse(task.result);
      return parsed.success ? ingestHelmSyncResult(db, task, parsed.data, now) : invalid(parsed.error);
    }
  }
}

/** Whether the spec the task was made with still matches the job; both go through the same schema. */
function sameSettings<T>(schema: z.ZodType<T>, stored: unknown, current: () => T, pick: (spec: T) => unknown = (spec) => spec): boolean {
  const before = schema.safeParse(stored);
  if (!before.success) return false;
  try {
    return JSON.stringify(pick(before.data)) === JSON.stringify(pick(current()));
  } catch {
    // The job can no longer make a spec (a scrape job made manual): nothing of the old one holds.
    return false;
  }
}

const sourceOf = (spec: GatherTaskSpec) => [spec.sourceType, spec.source];

/**
 * Releases of a gather result: new tags added, known ones refreshed, none forgotten; the ETag the
 * source answered is kept for the next conditional request. `notModified` changes no release.
 */
export async function ingestGatherResult(db: Kysely<Database>, task: ReportedTask, result: GatherResult): Promise<KindOutcome> {
  const job = await lockGatherJob(db, task.organization_id, task.job_id);
  if (!job) return { outcome: 'missing' };
  if (!sameSettings(gatherTaskSpecSchema, task.spec, () => gatherTaskSpec(job), sourceOf)) return { outcome: 'outdated' };
  const evaluate = { reason: 'gather_completed', target: { gatherJobId: job.id } } as const;
  if (result.notModified === true) {
    if (result.etag) await setGatherEtag(db, job.organization_id, job.id, result.etag);
    return { outcome: 'ingested', evaluate, details: { notModified: true } };
  }
  const counts = await upsertReleases(db, job.organization_id, job.id, result.releases);
  await setGatherEtag(db, job.organization_id, job.id, result.etag ?? null);
  return { outcome: 'ingested', evaluate, details: { releases: result.releases.length, ...counts } };
}

/** The version a scrape read: a snapshot when it differs from the latest, trimmed to the history limit. */
export async function ingestScrapeResult(db: Kysely<Database>, task: ReportedTask, result: ScrapeResult): Promise<KindOutcome> {
  const job = await lockScrapeJob(db, task.organization_id, task.job_id);
  if (!job) return { outcome: 'missing' };
  if (!sameSettings(scrapeTaskSpecSchema, task.spec, () => scrapeTaskSpec(job))) return { outcome: 'outdated' };
  const recorded = await recordVersionSnapshot(db, job.organization_id, {
    scrapeJobId: job.id,
    version: result.version,
    raw: result.raw,
    commitSha: result.commitSha,
    imageDigest: result.imageDigest ?? null,
    details: result.details ?? null,
    source: 'agent',
    taskId: task.id,
    ...(task.completed_at ? { foundAt: task.completed_at } : {}),
  });
  if (!recorded) return { outcome: 'missing' };
  return {
    outcome: 'ingested',
    evaluate: { reason: 'scrape_completed', target: { scrapeJobId: job.id } },
    details: { version: result.version, snapshotId: recorded.snapshot.id, newSnapshot: recorded.created, trimmed: recorded.trimmed },
  };
}

/**
 * The charts a helm sync found: one gather job per chart (created, or brought up to date).
 * Nothing is evaluated here: each new gather job runs at once and its result is evaluated then.
 */
export async function ingestHelmSyncResult(db: Kysely<Database>, task: ReportedTask, result: HelmSyncResult, now: Date): Promise<KindOutcome> {
  const sync = await lockHelmSyncJob(db, task.organization_id, task.job_id);
  if (!sync) return { outcome: 'missing' };
  if (!sameSettings(helmSyncTaskSpecSchema, task.spec, () => helmSyncTaskSpec(sync))) return { outcome: 'outdated' };
  const names = [...new Set(result.charts.map((chart) => chart.name))];
  // A name a gather job could not use as its chart (the agent reads any index.yaml) is skipped.
  const usable = names.filter((chart) => helmRepoSourceSchema.safeParse({ repoUrl: sync.repo_url, chart }).success);
  const counts = await upsertSyncedGatherJobs(db, sync, usable, nextRunAt(sync.gather_schedule, now));
  return { outcome: 'ingested', details: { charts: names.length, skippedCharts: names.length - usable.length, ...counts } };
}
