import { alertEventQueue } from './alert-event.ts';
import { deadLettersQueue } from './dead-letters.ts';
import type { QueueDefinition } from './define-queue.ts';
import { evaluateQueue } from './evaluate.ts';
import { notificationDeadQueue } from './notification-dead.ts';
import { notificationDeliverQueue } from './notification-deliver.ts';
import { taskCompletedQueue } from './task-completed.ts';

export * from './define-queue.ts';
export * from './dead-letters.ts';
export * from './task-completed.ts';
export * from './evaluate.ts';
export * from './alert-event.ts';
export * from './notification-deliver.ts';
export * from './notification-dead.ts';

/**
 * Every queue, in creation order: a dead-letter queue comes before the queues that name it
 * (pg-boss refuses a deadLetter that does not exist yet). Services create them all at start-up.
 */
export const ALL_QUEUES: readonly QueueDefinition[] = Object.freeze([
  deadLettersQueue,
  taskCompletedQueue,
  evaluateQueue,
  alertEventQueue,
  notificationDeadQueue,
  notificationDeliverQueue,
]);
