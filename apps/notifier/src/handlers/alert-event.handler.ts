import { alertEventQueue, parsePayload, type AlertEventPayload } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Job } from 'pg-boss';

/**
 * Consumes `alert.event`: parses each payload on receipt and creates the event's deliveries. A
 * payload that does not parse can never succeed and is dropped with an error log; a failure
 * throws so pg-boss retries the job (creating deliveries is idempotent).
 */
export function alertEventHandler(deps: { logger: Logger; createDeliveries: (payload: AlertEventPayload) => Promise<unknown> }) {
  return async (jobs: Job<unknown>[]): Promise<void> => {
    for (const job of jobs) {
      let payload: AlertEventPayload;
      try {
        payload = parsePayload(alertEventQueue, job.data);
      } catch (error) {
        deps.logger.error({ err: error, jobId: job.id }, 'alert.event job with an invalid payload: dropped');
        continue;
      }
      await deps.createDeliveries(payload);
    }
  };
}
