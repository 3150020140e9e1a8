import { randomUUID } from 'node:crypto';
import { notificationDeliverQueue, type OrganizationId } from '@planekeeper/domain';
import { sql, type Transaction } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { sendJob } from '../queue.ts';
import type { Database } from '../schema.ts';

/**
 * A notifier that dies mid-attempt stops the job's heartbeat: pg-boss's supervisor then fails the
 * job and retries it, long before the queue's expiry (pg-boss accepts no less than 10 s).
 */
export const DELIVERY_JOB_HEARTBEAT_SECONDS = 10;
/**
 * Delay before pg-boss retries a job whose notifier crashed or hung (the notifier schedules the
 * retries of failed HTTP attempts itself). Short: the delivery is late already.
 */
export const DELIVERY_JOB_CRASH_RETRY_DELAY_SECONDS = 5;

/** What {@link scheduleDeliveryAttempt} needs. */
export interface ScheduleDeliveryAttempt {
  organizationId: OrganizationId;
  deliveryId: string;
  /** Seconds until the attempt; 0 or absent = at once. */
  delaySeconds?: number;
}

/**
 * Schedules the next attempt of a delivery in the caller's transaction: a `notification.deliver`
 * job with an id of our choosing, recorded on the delivery as the one job allowed to attempt it,
 * so a redelivered older job for the same delivery knows it is stale. Every producer (the
 * notifier for new deliveries and retries, the api for test deliveries and replays) comes here.
 * Returns the job id.
 */
export async function scheduleDeliveryAttempt(trx: Transaction<Database>, boss: PgBoss, input: ScheduleDeliveryAttempt): Promise<string> {
  const jobId = randomUUID();
  const delaySeconds = Math.max(0, Math.ceil(input.delaySeconds ?? 0));
  await trx
    .updateTable('deliveries')
    .set({ job_id: jobId, next_attempt_at: sql<Date>`now() + make_interval(secs => ${delaySeconds})`, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', input.organizationId)
    .where('id', '=', input.deliveryId)
    .execute();
  await sendJob(
    boss,
    trx,
    notificationDeliverQueue,
    { organizationId: input.organizationId, deliveryId: input.deliveryId },
    {
      id: jobId,
      heartbeatSeconds: DELIVERY_JOB_HEARTBEAT_SECONDS,
      retryDelay: DELIVERY_JOB_CRASH_RETRY_DELAY_SECONDS,
      ...(delaySeconds > 0 ? { startAfter: delaySeconds } : {}),
    },
  );
  return jobId;
}
