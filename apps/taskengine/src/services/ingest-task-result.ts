import { sendJob } from '@planekeeper/db';
import { evaluateQueue, trustedOrganizationId, type TaskCompletedPayload } from '@planekeeper/domain';
import { isReferenced, lockReportedTask, markIngested, touchLastRun } from '../db/ingestion.queries.ts';
import type { TaskengineDeps } from '../deps.ts';
import { ingestResult, type KindOutcome } from './ingest-results.ts';

/**
 * What became of one task.completed message: see {@link KindOutcome}, plus `duplicate` (already
 * ingested: pg-boss delivers at least once) and `not_succeeded` (a failed task has nothing to
 * ingest). An invalid result is recorded on the task and not retried.
 */
export type IngestOutcome = KindOutcome['outcome'] | 'duplicate' | 'not_succeeded';

interface Decided {
  kind: string;
  jobId: string | null;
  outcome: IngestOutcome;
  details?: Record<string, unknown>;
}

/**
 * Ingests a reported task's result in one transaction: releases, snapshot or synced gather jobs;
 * the job's last run; the task marked ingested; and one `evaluate` for the job's alert configs
 * (the rules-engine expands a job target to every config that references it). A second delivery
 * of the same message finds the task marked and changes nothing.
 */
export async function ingestTaskResult(deps: TaskengineDeps, payload: TaskCompletedPayload): Promise<IngestOutcome> {
  const { taskId } = payload;
  const organizationId = trustedOrganizationId(payload.organizationId);
  const started = process.hrtime.bigint();
  const { kind, jobId, outcome, details } = await deps.db.transaction().execute(async (trx): Promise<Decided> => {
    const task = await lockReportedTask(trx, organizationId, taskId);
    if (!task) return { kind: 'unknown', jobId: null, outcome: 'missing' };
    const base = { kind: task.kind, jobId: task.job_id };
    if (task.ingested_at) return { ...base, outcome: 'duplicate' };
    if (task.status !== 'succeeded') return { ...base, outcome: 'not_succeeded' };
    const done = await ingestResult(trx, task, new Date());
    if (done.outcome === 'invalid') {
      await markIngested(trx, organizationId, task.id, String(done.details?.problem));
      return { ...base, outcome: 'invalid', details: done.details };
    }
    if (done.outcome !== 'missing') await touchLastRun(trx, organizationId, task.kind, task.job_id, task.completed_at ?? new Date());
    await markIngested(trx, organizationId, task.id);
    let evaluated = false;
    if (done.evaluate && (await isReferenced(trx, organizationId, done.evaluate.target))) {
      await sendJob(deps.boss, trx, evaluateQueue, { organizationId, reason: done.evaluate.reason, target: done.evaluate.target });
      evaluated = true;
    }
    return { ...base, outcome: done.outcome, details: { ...done.details, evaluated } };
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  deps.metrics.ingestions.inc({ kind, outcome });
  deps.metrics.ingestionSeconds.observe({ kind }, seconds);
  const line = { organizationId, taskId, jobId, kind, outcome, ms: Math.round(seconds * 1000), ...details };
  if (outcome === 'invalid') deps.logger.error(line, 'task result not ingested');
  else if (outcome === 'ingested') deps.logger.info(line, 'task result ingested');
  else deps.logger.debug(line, 'task result skipped');
  return outcome;
}
