import { notificationDeliverQueue, parsePayload, type NotificationDeliverPayload } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Job } from 'pg-boss';

/**
 * Consumes `notification.deliver`: parses the payload and makes one attempt under the job's id
 * (which tells the job that owns the delivery from a stale duplicate). An error of our own (the
 * database is down) throws, so pg-boss retries the job.
 */
export function notificationDeliverHandler(deps: { logger: Logger; deliver: (input: NotificationDeliverPayload & { jobId: string }) => Promise<unknown> }) {
  return async (jobs: Job<unknown>[]): Promise<void> => {
    for (const job of jobs) {
      let payload: NotificationDeliverPayload;
      try {
        payload = parsePayload(notificationDeliverQueue, job.data);
      } catch (error) {
        deps.logger.error({ err: error, jobId: job.id }, 'notification.deliver job with an invalid payload: dropped');
        continue;
      }
      await deps.deliver({ ...payload, jobId: job.id });
    }
  };
}
