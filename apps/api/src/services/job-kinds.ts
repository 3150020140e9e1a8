import { trimVersionSnapshots, type Database, type JobRowByKind } from '@planekeeper/db';
import {
  assertScrapeJobConsistent,
  conflict,
  isClusterParser,
  parseGatherSource,
  type GatherJobCreate,
  type GatherJobUpdate,
  type HelmSyncJobCreate,
  type HelmSyncJobUpdate,
  type OrganizationId,
  type ScrapeJobCreate,
  type ScrapeJobUpdate,
  type TaskKind,
} from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { findAlertConfigUsing } from '../db/alert-configs.queries.ts';
import { deleteReleases } from '../db/gather-jobs.queries.ts';
import { detachSyncedGatherJobs } from '../db/helm-sync-jobs.queries.ts';
import type { JobChanges, NewJob } from '../db/jobs.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { enqueueEvaluation } from './evaluations.ts';
import { sameJson, type ScheduleState } from './job-schedule.ts';

/** What a kind's hooks may use: the edit's transaction and the services' deps. */
export interface JobEditContext<K extends TaskKind> {
  trx: Kysely<Database>;
  deps: Pick<ApiDeps, 'boss'>;
  organizationId: OrganizationId;
  before: JobRowByKind[K];
  after: JobRowByKind[K];
}

/**
 * What a kind of job (gather, scrape, helm sync) decides for itself. Creating, editing, deleting,
 * scheduling and running a job are written once, in jobs.ts and run-job-now.ts, for all three.
 */
export interface JobKind<K extends TaskKind, Create, Update> {
  kind: K;
  /** How answers and logs name a job of the kind: 'gather job'. */
  name: string;
  /** The job id's field in log lines: 'gatherJobId'. */
  logKey: string;
  /** Jobs that may have nothing for an agent to run (manual scrape jobs): how to tell, and what to say. */
  idle?: {
    is(job: JobRowByKind[K]): boolean;
    /** Why "run now" is refused (409). */
    runRefusal(job: JobRowByKind[K]): string;
    /** The error of a pending task ended because its job became idle. */
    cancelReason: string;
  };
  /** The columns of a new job (the next run apart) and its scheduling state. */
  create(body: Create): { values: NewJob<K>; schedule: ScheduleState; log: Record<string, unknown> };
  /**
   * An update merged with the stored job: the columns to write (the next run apart), the
   * scheduling state after it, and whether what an agent runs changed (which runs it at once).
   * @throws PlanekeeperError validation_failed when the merged job is not consistent.
   */
  merge(current: JobRowByKind[K], body: Update): { changes: JobChanges<K>; after: ScheduleState; workChanged: boolean };
  /** More writes of an edit, in its transaction, once the job is written; answers what its log line adds. */
  afterEdit?(context: JobEditContext<K>): Promise<Record<string, unknown>>;
  /** Checks and writes before a job is deleted (409 while in use, ...); answers what the log line adds. */
  beforeRemove(trx: Kysely<Database>, organizationId: OrganizationId, id: string): Promise<Record<string, unknown>>;
}

/** `value` when the update names the field (null clears it), else the stored one. */
const pick = <T>(value: T | undefined, stored: T): T => (value === undefined ? stored : value);

/** A jsonb column's value: null, or the JSON text of the settings. */
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** 409 while an alert config references the job: deleting it would leave the config without its data. */
async function refuseWhileUsed(trx: Kysely<Database>, organizationId: OrganizationId, what: string, ref: { gatherJobId: string } | { scrapeJobId: string }, id: string) {
  const user = await findAlertConfigUsing(trx, organizationId, ref);
  if (user) {
    throw conflict(`${what} ${id} is used by alert config ${user.id} ("${user.name}"): delete that config or point it at another job first`, [
      { path: 'id', message: `used by alert config ${user.id}` },
    ]);
  }
  return {};
}

/**
 * Gather jobs. `source` without `sourceType` is checked against the stored type. A new source
 * forgets the releases of the old one and its ETag, and runs at once; so does a new tag filter or
 * credential. A new tag filter or source changes what counts as latest: the configs using the job
 * are re-evaluated.
 */
export const gatherJobs: JobKind<'gather', GatherJobCreate, GatherJobUpdate> = {
  kind: 'gather',
  name: 'gather job',
  logKey: 'gatherJobId',
  create: (body) => {
    const enabled = body.enabled ?? true;
    return {
      values: {
        name: body.name,
        source_type: body.sourceType,
        source: JSON.stringify(body.source),
        schedule: body.schedule,
        tag_filter: body.tagFilter ?? null,
        credential_name: body.credentialName ?? null,
        enabled,
        skip_versions: JSON.stringify(body.skipVersions ?? []),
      },
      schedule: { enabled, runnable: true, schedule: body.schedule },
      log: { sourceType: body.sourceType },
    };
  },
  merge: (current, body) => {
    const sourceType = body.sourceType ?? current.source_type;
    const source = body.source === undefined ? current.source : body.sourceType ? body.source : parseGatherSource(current.source_type, body.source);
    const tagFilter = pick(body.tagFilter, current.tag_filter);
    const credentialName = pick(body.credentialName, current.credential_name);
    const enabled = body.enabled ?? current.enabled;
    const schedule = body.schedule ?? current.schedule;
    const sourceChanged = sourceType !== current.source_type || !sameJson(source, current.source);
    const workChanged = sourceChanged || tagFilter !== current.tag_filter || credentialName !== current.credential_name;
    return {
      changes: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        source_type: sourceType,
        source: JSON.stringify(source),
        schedule,
        tag_filter: tagFilter,
        credential_name: credentialName,
        enabled,
        ...(body.skipVersions !== undefined ? { skip_versions: JSON.stringify(body.skipVersions) } : {}),
        // The ETag belongs to the answer the old settings got; the digest of the releases
        // ingested, to the old source (its releases are forgotten in afterEdit).
        ...(workChanged ? { etag: null } : {}),
        ...(sourceChanged ? { releases_digest: null } : {}),
      },
      after: { enabled, runnable: true, schedule },
      workChanged,
    };
  },
  afterEdit: async ({ trx, deps, organizationId, before, after }) => {
    const sourceChanged = after.source_type !== before.source_type || !sameJson(after.source, before.source);
    if (sourceChanged) await deleteReleases(trx, organizationId, after.id);
    // Skipped releases change what counts as latest, as a tag filter does.
    if (sourceChanged || after.tag_filter !== before.tag_filter || !sameJson(after.skip_versions, before.skip_versions)) {
      await enqueueEvaluation(deps.boss, trx, { organizationId, reason: 'gather_job_changed', target: { gatherJobId: after.id } });
    }
    return { sourceChanged };
  },
  beforeRemove: (trx, organizationId, id) => refuseWhileUsed(trx, organizationId, 'gather job', { gatherJobId: id }, id),
};

/**
 * Scrape jobs. The stored job merged with an update is checked (a git job needs its repo, file,
 * expression and schedule; a cluster job, kubernetes or helm_release, its settings, schedule and
 * cluster name as credentialName). Changing what is read runs the job at once; a lower history
 * limit trims the history now. A manual job has nothing to run.
 */
export const scrapeJobs: JobKind<'scrape', ScrapeJobCreate, ScrapeJobUpdate> = {
  kind: 'scrape',
  name: 'scrape job',
  logKey: 'scrapeJobId',
  idle: {
    is: (job) => job.parser === 'manual',
    runRefusal: (job) => `scrape job ${job.id} is manual: nothing runs for it; set its version with PUT /api/v1/scrape-jobs/${job.id}/version`,
    cancelReason: 'cancelled: the job became manual before an agent claimed the task',
  },
  create: (body) => {
    const enabled = body.enabled ?? true;
    const schedule = body.schedule ?? null;
    return {
      values: {
        name: body.name,
        repo_url: body.repoUrl ?? null,
        ref: body.ref ?? null,
        file_path: body.filePath ?? null,
        parser: body.parser,
        expression: body.expression ?? null,
        kubernetes: json(body.kubernetes),
        helm_release: json(body.helmRelease),
        credential_name: body.credentialName ?? null,
        schedule,
        ...(body.historyLimit !== undefined ? { history_limit: body.historyLimit } : {}),
        enabled,
      },
      schedule: { enabled, runnable: body.parser !== 'manual', schedule },
      log: { parser: body.parser },
    };
  },
  merge: (current, body) => {
    const parser = body.parser ?? current.parser;
    // A new parser drops the stored settings of the old one that it does not use (a git job made
    // a cluster job forgets its repository); settings the update sends are checked as sent.
    const kept = <T>(stored: T, usedBy: boolean): T | null => (usedBy ? stored : null);
    const cluster = isClusterParser(parser);
    const merged = {
      repo_url: pick(body.repoUrl, kept(current.repo_url, !cluster)),
      ref: pick(body.ref, kept(current.ref, !cluster)),
      file_path: pick(body.filePath, kept(current.file_path, !cluster)),
      parser,
      expression: pick(body.expression, kept(current.expression, !cluster)),
      kubernetes: pick<unknown>(body.kubernetes, kept(current.kubernetes, parser === 'kubernetes')),
      helm_release: pick<unknown>(body.helmRelease, kept(current.helm_release, parser === 'helm_release')),
      credential_name: pick(body.credentialName, current.credential_name),
      schedule: pick(body.schedule, current.schedule),
      history_limit: body.historyLimit ?? current.history_limit,
      enabled: body.enabled ?? current.enabled,
    };
    assertScrapeJobConsistent({
      parser: merged.parser,
      repoUrl: merged.repo_url,
      ref: merged.ref,
      filePath: merged.file_path,
      expression: merged.expression,
      schedule: merged.schedule,
      credentialName: merged.credential_name,
      kubernetes: merged.kubernetes,
      helmRelease: merged.helm_release,
    });
    return {
      changes: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...merged,
        kubernetes: json(merged.kubernetes),
        helm_release: json(merged.helm_release),
      },
      after: { enabled: merged.enabled, runnable: merged.parser !== 'manual', schedule: merged.schedule },
      workChanged: (['repo_url', 'ref', 'file_path', 'parser', 'expression', 'credential_name', 'kubernetes', 'helm_release'] as const).some(
        (field) => !sameJson(merged[field], current[field]),
      ),
    };
  },
  afterEdit: async ({ trx, organizationId, before, after }) => ({
    trimmed: after.history_limit < before.history_limit ? await trimVersionSnapshots(trx, organizationId, after.id, after.history_limit) : 0,
  }),
  beforeRemove: (trx, organizationId, id) => refuseWhileUsed(trx, organizationId, 'scrape job', { scrapeJobId: id }, id),
};

/**
 * Helm sync jobs: each keeps one gather job per chart of its repository. A new repository, chart
 * filter, credential or gather schedule runs the sync at once, which brings the gather jobs it
 * made up to date. Deleting one keeps its gather jobs, as ordinary gather jobs.
 */
export const helmSyncJobs: JobKind<'helm_sync', HelmSyncJobCreate, HelmSyncJobUpdate> = {
  kind: 'helm_sync',
  name: 'helm sync job',
  logKey: 'helmSyncJobId',
  create: (body) => {
    const enabled = body.enabled ?? true;
    return {
      values: {
        name: body.name,
        repo_url: body.repoUrl,
        chart_filter: body.chartFilter ?? null,
        schedule: body.schedule,
        // Its gather jobs run on its own schedule unless told otherwise.
        gather_schedule: body.gatherSchedule ?? body.schedule,
        credential_name: body.credentialName ?? null,
        enabled,
      },
      schedule: { enabled, runnable: true, schedule: body.schedule },
      log: {},
    };
  },
  merge: (current, body) => {
    const merged = {
      repo_url: body.repoUrl ?? current.repo_url,
      chart_filter: pick(body.chartFilter, current.chart_filter),
      credential_name: pick(body.credentialName, current.credential_name),
      gather_schedule: body.gatherSchedule ?? current.gather_schedule,
      schedule: body.schedule ?? current.schedule,
      enabled: body.enabled ?? current.enabled,
    };
    return {
      changes: { ...(body.name !== undefined ? { name: body.name } : {}), ...merged },
      after: { enabled: merged.enabled, runnable: true, schedule: merged.schedule },
      workChanged: (['repo_url', 'chart_filter', 'credential_name', 'gather_schedule'] as const).some((field) => merged[field] !== current[field]),
    };
  },
  beforeRemove: async (trx, organizationId, id) => ({ detachedGatherJobs: await detachSyncedGatherJobs(trx, organizationId, id) }),
};
