export {
  DELIVERY_JOB_CRASH_RETRY_DELAY_SECONDS,
  DELIVERY_JOB_HEARTBEAT_SECONDS,
  scheduleDeliveryAttempt,
  type ScheduleDeliveryAttempt,
} from './delivery-jobs.ts';
