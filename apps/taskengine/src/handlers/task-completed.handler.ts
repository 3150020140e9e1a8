import { parsePayload, taskCompletedQueue } from '@planekeeper/domain';
import type { Job } from 'pg-boss';
import type { TaskengineDeps } from '../deps.ts';
import { ingestTaskResult } from '../services/ingest-task-result.ts';

/** Consumes `task.completed`: parse on receipt, ingest. A thrown error lets pg-boss retry the message. */
export function taskCompletedHandler(deps: TaskengineDeps) {
  return async (jobs: Job<unknown>[]): Promise<void> => {
    for (const job of jobs) {
      try {
        await ingestTaskResult(deps, parsePayload(taskCompletedQueue, job.data));
      } catch (error) {
        deps.logger.error({ err: error, queueJobId: job.id, retryCount: job.retryCount }, 'task.completed failed; pg-boss retries it');
        throw error;
      }
    }
  };
}
