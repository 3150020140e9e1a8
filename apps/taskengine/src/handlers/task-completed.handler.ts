import { parsePayload, taskCompletedQueue } from '@planekeeper/domain';
import type { Job, JobResult } from 'pg-boss';
import type { TaskengineDeps } from '../deps.ts';
import { ingestTaskResult } from '../services/ingest-task-result.ts';

/**
 * Consumes a fetched batch of `task.completed`: parse on receipt, ingest, and settle each job on
 * its own, so one failing message is retried by pg-boss without failing (and using up the retries
 * of) the others in its batch.
 */
export function taskCompletedHandler(deps: TaskengineDeps) {
  return async (jobs: Job<unknown>[]): Promise<JobResult[]> => {
    const results: JobResult[] = [];
    for (const job of jobs) {
      try {
        await ingestTaskResult(deps, parsePayload(taskCompletedQueue, job.data));
        results.push({ id: job.id, status: 'completed' });
      } catch (error) {
        deps.logger.error({ err: error, queueJobId: job.id, retryCount: job.retryCount }, 'task.completed failed; pg-boss retries it');
        results.push({ id: job.id, status: 'failed', output: { error: error instanceof Error ? error.message : String(error) } });
      }
    }
    return results;
  };
}
