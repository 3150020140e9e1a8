import { helmSyncTaskSpec, readsCurrentSource, recordVersionSnapshot, releasesDigest, scrapeTaskSpec, type Database } from '@planekeeper/db';
import {
  helmRepoSourceSchema,
  helmSyncResultSchema,
  helmSyncTaskSpecSchema,
  nextRunAt,
  scrapeResultSchema,
  scrapeTaskSpecSchema,
  storedGatherResultSchema,
  type HelmSyncResult,
  type ScrapeResult,
  type StoredGatherResult,
} from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { lockGatherJob, lockHelmSyncJob, lockScrapeJob, recordGatherAnswer, runAgainSoon, type ReportedTask } from '../db/ingestion.queries.ts';
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
      const parsed = storedGatherResultSchema.safeParse(task.result);
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
function sameSettings<T>(schema: z.ZodType<T>, stored: unknown, current: () => T): boolean {
  const before = schema.safeParse(stored);
  if (!before.success) return false;
  try {
    return JSON.stringify(before.data) === JSON.stringify(current());
  } catch {
    // The job can no longer make a spec (a scrape job made manual): nothing of the old one holds.
    return false;
  }
}

/**
 * Releases of a gather result: new tags added, known ones refreshed, none forgotten; the ETag the
 * source answered is kept for the next conditional request, and the list's digest, so that the
 * api knows the same list when it comes again. `notModified` changes no release. A result the api
 * stored as `unchanged` (the list whose digest the job had) changes no release either, as long as
 * the job still has that digest. The api does not store a list as unchanged while an earlier
 * run's result waits to be ingested; should the releases still have changed meanwhile (an
 * operator's edit), the list is not there to upsert: the result is dropped as outdated and the job
 * runs again at once without its ETag (a new source is caught before, by the spec).
 */
export async function ingestGatherResult(db: Kysely<Database>, task: ReportedTask, result: StoredGatherResult): Promise<KindOutcome> {
  const job = await lockGatherJob(db, task.organization_id, task.job_id);
  if (!job) return { outcome: 'missing' };
  // Only the source counts: a result read under an older tag filter or ETag still describes it.
  if (!readsCurrentSource(task.spec, job)) return { outcome: 'outdated' };
  const evaluate = { reason: 'gather_completed', target: { gatherJobId: job.id } } as const;
  if ('unchanged' in result) {
    if (job.releases_digest !== result.releasesDigest) {
      // The list is not here to upsert, and what the job holds is not what it said: read the
      // source again now, in full (no ETag), rather than wait for the next scheduled run.
      await runAgainSoon(db, job.organization_id, job.id);
      return { outcome: 'outdated', details: { unchanged: true, releasesChangedMeanwhile: true, runAgain: true } };
    }
    await recordGatherAnswer(db, job.organization_id, job.id, { etag: result.etag ?? null });
    return { outcome: 'ingested', evaluate, details: { unchanged: true, releases: result.releaseCount, added: 0, updated: 0 } };
  }
  if (result.notModified === true) {
    if (result.etag) await recordGatherAnswer(db, job.organization_id, job.id, { etag: result.etag });
    return { outcome: 'ingested', evaluate, details: { notModified: true } };
  }
  const counts = await upsertReleases(db, job.organization_id, job.id, result.releases);
  // After the upsert: its writes forget the digest (migration 0018's triggers).
  await recordGatherAnswer(db, job.organization_id, job.id, { etag: result.etag ?? null, releasesDigest: releasesDigest(result.releases) });
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
