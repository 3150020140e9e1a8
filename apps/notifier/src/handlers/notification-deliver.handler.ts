import { notificationDeliverQueue, parsePayload, type NotificationDeliverPayload } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Job } from 'pg-boss';

/**
 * Consumes a fetched batch of `notification.deliver` jobs: parses each payload and makes one
 * attempt per job under the job's id (which tells the job that owns the delivery from a stale
 * duplicate), the attempts of a batch side by side. An error of our own (the database is down)
 * fails the batch once every attempt has ended, so pg-boss retries it: the jobs whose attempt
 * was recorded find their delivery settled (or owned by its retry job) and send nothing again.
 * (pg-boss's per-job settlement plans poorly against a fresh backlog, so the batch settles whole.)
 */
export function notificationDeliverHandler(deps: { logger: Logger; deliver: (input: NotificationDeliverPayload & { jobId: string }) => Promise<unknown> }) {
  return async (jobs: Job<unknown>[]): Promise<void> => {
    const failures = await Promise.all(
      jobs.map(async (job): Promise<unknown> => {
        let payload: NotificationDeliverPayload;
        try {
          payload = parsePayload(notificationDeliverQueue, job.data);
        } catch (error) {
          deps.logger.error({ err: error, jobId: job.id }, 'notification.deliver job with an invalid payload: dropped');
          return undefined;
        }
        try {
          await deps.deliver({ ...payload, jobId: job.id });
          return undefined;
        } catch (error) {
          deps.logger.error({ err: error, jobId: job.id, organizationId: payload.organizationId, deliveryId: payload.deliveryId }, 'delivery attempt could not be made or recorded: pg-boss retries it');
          return error;
        }
      }),
    );
    const failed = failures.filter((error) => error !== undefined);
    if (failed.length > 0) throw failed[0];
  };
}
