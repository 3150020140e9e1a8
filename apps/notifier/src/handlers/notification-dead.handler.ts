import { notificationDeadQueue, parsePayload, type NotificationDeadPayload } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { JobWithMetadata } from 'pg-boss';

/**
 * Consumes `notification.dead` (fetched with metadata, so a job pg-boss dead-lettered names the
 * queue and job it came from).
 */
export function notificationDeadHandler(deps: {
  logger: Logger;
  recordDead: (payload: NotificationDeadPayload, source: { queue: string | null; jobId: string | null }) => Promise<unknown>;
}) {
  return async (jobs: JobWithMetadata<unknown>[]): Promise<void> => {
    for (const job of jobs) {
      let payload: NotificationDeadPayload;
      try {
        payload = parsePayload(notificationDeadQueue, job.data);
      } catch (error) {
        deps.logger.error({ err: error, jobId: job.id }, 'notification.dead job with an invalid payload: dropped');
        continue;
      }
      await deps.recordDead(payload, { queue: job.sourceName ?? null, jobId: job.sourceId ?? null });
    }
  };
}
