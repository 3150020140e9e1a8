import { alertEventQueue, parsePayload, type AlertEventPayload } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Job } from 'pg-boss';

/**
 * Consumes a fetched batch of `alert.event` jobs: parses each payload on receipt and creates the
 * event's deliveries. A payload that does not parse can never succeed and is dropped with an
 * error log. A failure fails the batch once every event has been tried, so pg-boss retries it:
 * creating deliveries is idempotent, the events already done make none again.
 */
export function alertEventHandler(deps: { logger: Logger; createDeliveries: (payload: AlertEventPayload) => Promise<unknown> }) {
  return async (jobs: Job<unknown>[]): Promise<void> => {
    let firstFailure: unknown;
    for (const job of jobs) {
      let payload: AlertEventPayload;
      try {
        payload = parsePayload(alertEventQueue, job.data);
      } catch (error) {
        deps.logger.error({ err: error, jobId: job.id }, 'alert.event job with an invalid payload: dropped');
        continue;
      }
      try {
        await deps.createDeliveries(payload);
      } catch (error) {
        deps.logger.error({ err: error, jobId: job.id, organizationId: payload.organizationId, alertEventId: payload.alertEventId }, 'deliveries of an alert event could not be created: pg-boss retries it');
        firstFailure ??= error;
      }
    }
    if (firstFailure !== undefined) throw firstFailure;
  };
}
