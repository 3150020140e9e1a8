import { evaluateQueue, parsePayload, type EvaluatePayload } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Job, JobResult } from 'pg-boss';
import type { RulesEngineMetrics } from '../metrics.ts';

/**
 * Handles a fetched batch of `evaluate` jobs: parses each payload on receipt, evaluates each
 * distinct target once (a burst of finished scrapes often names one target many times), and
 * settles every job on its own. A payload that does not parse can never succeed and is not
 * retried; a failed evaluation is retried by pg-boss (evaluating is idempotent).
 */
export function evaluateJobsHandler(deps: {
  logger: Logger;
  metrics: RulesEngineMetrics;
  evaluate: (payload: EvaluatePayload) => Promise<unknown>;
}): (jobs: Job<unknown>[]) => Promise<JobResult[]> {
  return async (jobs) => {
    const results: JobResult[] = [];
    const byTarget = new Map<string, { payload: EvaluatePayload; jobIds: string[] }>();
    for (const job of jobs) {
      let payload: EvaluatePayload;
      try {
        payload = parsePayload(evaluateQueue, job.data);
      } catch (error) {
        deps.logger.error({ err: error, jobId: job.id }, 'evaluate job with an invalid payload: dropped');
        deps.metrics.evaluateJobs.inc({ outcome: 'invalid' });
        results.push({ id: job.id, status: 'deadletter', output: { error: error instanceof Error ? error.message : String(error) } });
        continue;
      }
      const key = JSON.stringify([payload.organizationId, payload.target]);
      const group = byTarget.get(key);
      if (group) group.jobIds.push(job.id);
      else byTarget.set(key, { payload, jobIds: [job.id] });
    }
    for (const { payload, jobIds } of byTarget.values()) {
      try {
        await deps.evaluate(payload);
        deps.metrics.evaluateJobs.inc({ outcome: 'completed' }, jobIds.length);
        for (const id of jobIds) results.push({ id, status: 'completed' });
      } catch (error) {
        deps.logger.error({ err: error, organizationId: payload.organizationId, target: payload.target, jobIds }, 'evaluation failed: will retry');
        deps.metrics.evaluateJobs.inc({ outcome: 'failed' }, jobIds.length);
        const output = { error: error instanceof Error ? error.message : String(error) };
        for (const id of jobIds) results.push({ id, status: 'failed', output });
      }
    }
    return results;
  };
}
