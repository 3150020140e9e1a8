import { cancelPendingTasks, refreshPendingTask, trimVersionSnapshots, type ScrapeJobRow } from '@planekeeper/db';
import { assertScrapeJobConsistent, conflict, isClusterParser, notFound, type ScrapeJobCreate, type ScrapeJobUpdate } from '@planekeeper/domain';
import { findAlertConfigUsing } from '../db/gather-jobs.queries.ts';
import { deleteScrapeJob, findScrapeJob, insertScrapeJob, updateScrapeJob } from '../db/scrape-jobs.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { DISABLED_REASON } from './edit-gather-job.ts';
import { nextRunAfterEdit, sameJson } from './job-schedule.ts';

const MANUAL_REASON = 'cancelled: the job became manual before an agent claimed the task';

/** Creates a scrape job; an enabled, non-manual one is due at once. */
export async function createScrapeJob(deps: ApiDeps, organizationId: string, body: ScrapeJobCreate): Promise<ScrapeJobRow> {
  const enabled = body.enabled ?? true;
  const schedule = body.schedule ?? null;
  const row = await insertScrapeJob(deps.db, organizationId, {
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
    next_run_at: nextRunAfterEdit({ before: null, after: { enabled, runnable: body.parser !== 'manual', schedule }, workChanged: true, now: deps.clock() }),
  });
  deps.logger.info({ organizationId, scrapeJobId: row.id, parser: row.parser }, 'scrape job created');
  return row;
}

/** `value` when the update names the field (null clears it), else the stored one. */
const pick = <T>(value: T | undefined, stored: T): T => (value === undefined ? stored : value);

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Applies an update, checking the stored job merged with it (a git job needs its repo, file,
 * expression and schedule; a cluster job its settings, schedule and cluster name). Changing what
 * is read runs the job at once; a lower history limit trims the history now; a pending task is
 * brought up to date, or ended when the job is disabled or made manual.
 */
export async function editScrapeJob(deps: ApiDeps, organizationId: string, id: string, body: ScrapeJobUpdate): Promise<ScrapeJobRow> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await findScrapeJob(trx, organizationId, id, { forUpdate: true });
    if (!current) throw notFound('scrape job', id);
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
    const workChanged = (['repo_url', 'ref', 'file_path', 'parser', 'expression', 'credential_name', 'kubernetes', 'helm_release'] as const).some(
      (field) => !sameJson(merged[field], current[field]),
    );
    const runnable = merged.parser !== 'manual';
    const nextRun = nextRunAfterEdit({
      before: { enabled: current.enabled, runnable: current.parser !== 'manual', schedule: current.schedule, nextRunAt: current.next_run_at },
      after: { enabled: merged.enabled, runnable, schedule: merged.schedule },
      workChanged,
      now: deps.clock(),
    });
    const updated = await updateScrapeJob(trx, organizationId, id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...merged,
      kubernetes: json(merged.kubernetes),
      helm_release: json(merged.helm_release),
      next_run_at: nextRun,
    });
    if (!merged.enabled) await cancelPendingTasks(trx, organizationId, id, DISABLED_REASON);
    else if (!runnable) await cancelPendingTasks(trx, organizationId, id, MANUAL_REASON);
    else if (workChanged) await refreshPendingTask(trx, organizationId, 'scrape', updated);
    const trimmed = merged.history_limit < current.history_limit ? await trimVersionSnapshots(trx, organizationId, id, merged.history_limit) : 0;
    deps.logger.info({ organizationId, scrapeJobId: id, workChanged, enabled: merged.enabled, nextRunAt: nextRun, trimmed }, 'scrape job updated');
    return updated;
  });
}

/** Deletes a scrape job with its snapshots and tasks; 409 while an alert config uses it. */
export async function removeScrapeJob(deps: ApiDeps, organizationId: string, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const current = await findScrapeJob(trx, organizationId, id, { forUpdate: true });
    if (!current) throw notFound('scrape job', id);
    const user = await findAlertConfigUsing(trx, organizationId, { scrapeJobId: id });
    if (user) {
      throw conflict(`scrape job ${id} is used by alert config ${user.id} ("${user.name}"): delete that config or point it at another job first`, [
        { path: 'id', message: `used by alert config ${user.id}` },
      ]);
    }
    await deleteScrapeJob(trx, organizationId, id);
    deps.logger.info({ organizationId, scrapeJobId: id }, 'scrape job deleted');
  });
}
