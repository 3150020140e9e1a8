import { scheduleDeliveryAttempt, sendJob } from '@planekeeper/db';
import { channelUrlHost, decideDeliveryStep, notificationDeadQueue, retryAfterSeconds, trustedOrganizationId, type DeliveryAttemptResult, type DeliveryStep, type OrganizationId } from '@planekeeper/domain';
import {
  disableChannel,
  failDeliveryUnsent,
  loadDeliveryContext,
  lockDeliveryForJob,
  recordAttempt,
  settleAttempt,
  type DeliveryContext,
} from '../db/deliveries.queries.ts';
import type { NotifierDeps } from '../deps.ts';
import type { SendOutcome } from '../http/send-notification.ts';
import { formatMessage } from '../messages/format-message.ts';
import type { NotificationSubject } from '../messages/notification-content.ts';
import type { DeliveryMetricOutcome } from '../metrics.ts';
import { attemptError } from './attempt-error.ts';

/** What a `notification.deliver` job came to. */
export type DeliverOutcome =
  | 'attempted'
  /** The delivery is gone (its channel or event was deleted). */
  | 'missing'
  /** Already succeeded, failed or dead: a succeeded delivery is never sent again. */
  | 'settled'
  /** Another job has taken over the delivery (this one is a redelivered duplicate). */
  | 'stale'
  /** Settled without sending: its channel is disabled. */
  | 'unsent'
  /** Its channel is slow: the attempt goes on outside this job, under a job that takes over if it is lost. */
  | 'handed_over'
  /** Its slow channel has as many attempts under way as it may: rescheduled at the channel's pace, no attempt counted. */
  | 'deferred';

function subjectOf(context: DeliveryContext): NotificationSubject | null {
  if (context.delivery.kind === 'test') return { kind: 'test', createdAt: context.delivery.created_at };
  if (context.event === null) return null;
  const { alert, alertConfig, ...event } = context.event;
  return { kind: 'event', event, alert, alertConfig };
}

/**
 * The common case, a delivery that succeeded or failed for good, needs no other write than the
 * attempt and the delivery's new state: recorded in one statement, guarded so that it applies
 * only while `jobId` still owns the pending delivery and its budget is as read before the
 * attempt. Undefined when the attempt needs the locking transaction (a retry, a dead letter, a
 * 410, or the delivery changed meanwhile), which then decides again under the lock.
 */
async function settleInOneStatement(
  deps: NotifierDeps,
  input: { organizationId: OrganizationId; deliveryId: string; jobId: string },
  budgetBefore: number,
  outcome: SendOutcome,
  result: DeliveryAttemptResult,
) {
  const budgetAttempts = budgetBefore + 1;
  const step = decideDeliveryStep({ result, budgetAttempts, retryLimit: deps.config.NOTIFIER_RETRY_LIMIT, baseSeconds: deps.config.NOTIFIER_RETRY_BASE_SECONDS, jitter: deps.jitter });
  if (step.status !== 'succeeded' && !(step.status === 'failed' && step.outcome === 'permanent')) return undefined;
  const error = attemptError(outcome, step, budgetAttempts);
  const statusCode = outcome.kind === 'response' ? outcome.statusCode : null;
  const settled = await settleAttempt(deps.db, { ...input, budgetBefore }, { outcome: step.outcome, statusCode, error, latencyMs: outcome.latencyMs }, step.status);
  return settled ? { step, error, statusCode, attempt: settled.attempts, budgetAttempts } : undefined;
}

function metricOutcome(step: DeliveryStep, refused: boolean): DeliveryMetricOutcome {
  if (refused) return 'refused';
  if (step.status === 'pending') return 'retry';
  if (step.status === 'failed') return step.outcome === 'gone' ? 'gone' : 'failed';
  return step.status;
}

/**
 * Makes one attempt of a delivery under the job `jobId`: sends the channel's message, then records
 * the attempt and the delivery's new state together with its next step (a retry job after the
 * backoff, the dead-letter queue, or the channel disabled after a 410) in one transaction.
 * At least once: a notifier that dies after sending and before recording sends again on the job's
 * retry, with the same `webhook-id`.
 */
export async function deliverNotification(deps: NotifierDeps, input: { organizationId: string; deliveryId: string; jobId: string }): Promise<DeliverOutcome> {
  const { deliveryId, jobId } = input;
  // The job's payload is our own: the organization it names is the delivery's.
  const organizationId = trustedOrganizationId(input.organizationId);
  const ids = { organizationId, deliveryId, jobId };
  const context = await loadDeliveryContext(deps.db, organizationId, deliveryId);
  if (!context) {
    deps.logger.info(ids, 'delivery no longer exists: nothing to send');
    return 'missing';
  }
  const { delivery, channel } = context;
  const about = { ...ids, channelId: channel.id, channelType: channel.type, host: channelUrlHost(channel.url), alertEventId: delivery.alert_event_id };
  if (delivery.status !== 'pending') {
    deps.logger.info({ ...about, status: delivery.status }, 'delivery already settled: not sent again');
    return 'settled';
  }
  if (delivery.job_id !== null && delivery.job_id !== jobId) {
    deps.logger.info({ ...about, currentJobId: delivery.job_id }, 'stale delivery job (another job owns the delivery): skipped');
    return 'stale';
  }
  const subject = subjectOf(context);
  if (!channel.enabled || subject === null) {
    const why = !channel.enabled ? `not sent: the channel is disabled${channel.disabledReason ? ` (${channel.disabledReason})` : ''}` : 'not sent: the alert event no longer exists';
    await deps.db.transaction().execute(async (trx) => {
      if (await lockDeliveryForJob(trx, organizationId, deliveryId, jobId)) await failDeliveryUnsent(trx, organizationId, deliveryId, why);
    });
    deps.logger.warn(about, why);
    return 'unsent';
  }

  const message = formatMessage({ subject, channel, deliveryId, publicUrl: deps.config.PUBLIC_URL, now: deps.clock() });
  const request = { url: channel.url, headers: message.headers, body: message.body };
  const { lanes } = deps;
  if (lanes.isSlow(channel.id, Date.now())) {
    // A slow channel's deliveries never wait inside a batch: each goes to the slow lane at once,
    // or waits its turn when the channel already has its share under way.
    if (!lanes.tryStartSlow(channel.id)) {
      const delaySeconds = lanes.reserveSlot(channel.id, Date.now());
      const moved = await reschedule(deps, ids, delaySeconds);
      if (moved) deps.logger.info({ ...about, retryInSeconds: delaySeconds }, 'slow channel busy: delivery waits its turn (no attempt counted)');
      return moved ? 'deferred' : 'stale';
    }
    const guardJobId = await reschedule(deps, ids, guardDelaySeconds(deps));
    if (guardJobId === null) {
      lanes.endSlow(channel.id, undefined, Date.now());
      return 'stale';
    }
    const sending = deps.send(request);
    void finishOutsideBatch(deps, { ...ids, jobId: guardJobId }, about, channel, delivery.budget_attempts, sending);
    return 'handed_over';
  }

  const sending = deps.send(request);
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([sending, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), lanes.slowMs)))]);
  clearTimeout(timer);
  if (answered === null) {
    // Slow: the attempt goes on outside this job, and the batch it came in moves on. The job
    // that takes over the delivery is due only once the attempt must have ended (the request's
    // timeout): it attempts again if this process dies before recording the answer.
    lanes.adoptSlow(channel.id, Date.now());
    const guardJobId = await reschedule(deps, ids, guardDelaySeconds(deps));
    if (guardJobId === null) {
      void sending.then((outcome) => lanes.endSlow(channel.id, outcome.latencyMs, Date.now()));
      return 'stale';
    }
    deps.logger.info({ ...about, afterMs: lanes.slowMs }, 'slow receiver: its attempt goes on outside the batch');
    void finishOutsideBatch(deps, { ...ids, jobId: guardJobId }, about, channel, delivery.budget_attempts, sending);
    return 'handed_over';
  }
  lanes.observeFast(channel.id, answered.latencyMs, Date.now());
  return recordOutcome(deps, ids, about, channel, delivery.budget_attempts, answered);
}

/** Seconds until the job that takes over a slow attempt is due: past the request's timeout. */
function guardDelaySeconds(deps: NotifierDeps): number {
  return Math.ceil(deps.config.NOTIFIER_REQUEST_TIMEOUT_SECONDS) + GUARD_MARGIN_SECONDS;
}

/** Beyond the request timeout, the time a slow attempt has to record its answer before it counts as lost. */
const GUARD_MARGIN_SECONDS = 20;

/**
 * Hands the pending delivery from `ids.jobId` to a new job due in `delaySeconds` (no attempt
 * counted). Returns the new job's id, or null when `ids.jobId` no longer owns the delivery.
 */
async function reschedule(deps: NotifierDeps, ids: { organizationId: OrganizationId; deliveryId: string; jobId: string }, delaySeconds: number): Promise<string | null> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await lockDeliveryForJob(trx, ids.organizationId, ids.deliveryId, ids.jobId))) return null;
    return scheduleDeliveryAttempt(trx, deps.boss, { organizationId: ids.organizationId, deliveryId: ids.deliveryId, delaySeconds });
  });
}

/** Waits for a slow-lane attempt and records it under the job that took the delivery over; never throws. */
async function finishOutsideBatch(
  deps: NotifierDeps,
  ids: { organizationId: OrganizationId; deliveryId: string; jobId: string },
  about: Record<string, unknown>,
  channel: DeliveryContext['channel'],
  budgetBefore: number,
  sending: Promise<SendOutcome>,
): Promise<void> {
  let latencyMs: number | undefined;
  try {
    const outcome = await sending;
    latencyMs = outcome.latencyMs;
    await recordOutcome(deps, ids, about, channel, budgetBefore, outcome);
  } catch (error) {
    // Unrecorded (the database went away, the notifier is stopping): the job that took the
    // delivery over attempts it again when due.
    deps.logger.error({ ...about, err: error }, 'slow attempt not recorded: the delivery is attempted again when its job is due');
  } finally {
    deps.lanes.endSlow(channel.id, latencyMs, Date.now());
  }
}

/**
 * Records an attempt's outcome and the delivery's new state with its next step (a retry job after
 * the backoff, the dead-letter queue, or the channel disabled after a 410), while `ids.jobId`
 * owns the delivery.
 */
async function recordOutcome(
  deps: NotifierDeps,
  ids: { organizationId: OrganizationId; deliveryId: string; jobId: string },
  about: Record<string, unknown>,
  channel: DeliveryContext['channel'],
  budgetBefore: number,
  outcome: SendOutcome,
): Promise<DeliverOutcome> {
  const { organizationId, deliveryId, jobId } = ids;
  deps.metrics.attemptDuration.observe({ channel_type: channel.type }, outcome.latencyMs / 1000);
  const result: DeliveryAttemptResult = outcome.kind === 'response'
    ? { kind: 'response', statusCode: outcome.statusCode, retryAfterSeconds: retryAfterSeconds({ headers: outcome.headers, body: outcome.body, now: deps.clock() }) }
    : { kind: outcome.kind };

  const recorded = (await settleInOneStatement(deps, ids, budgetBefore, outcome, result)) ?? (await deps.db.transaction().execute(async (trx) => {
    const locked = await lockDeliveryForJob(trx, organizationId, deliveryId, jobId);
    if (!locked) return null;
    const budgetAttempts = locked.budget_attempts + 1;
    const step = decideDeliveryStep({ result, budgetAttempts, retryLimit: deps.config.NOTIFIER_RETRY_LIMIT, baseSeconds: deps.config.NOTIFIER_RETRY_BASE_SECONDS, jitter: deps.jitter });
    const error = attemptError(outcome, step, budgetAttempts);
    const statusCode = outcome.kind === 'response' ? outcome.statusCode : null;
    await recordAttempt(trx, organizationId, deliveryId, { outcome: step.outcome, statusCode, error, latencyMs: outcome.latencyMs }, { status: step.status });
    if (step.status === 'pending') await scheduleDeliveryAttempt(trx, deps.boss, { organizationId, deliveryId, delaySeconds: step.delaySeconds });
    if (step.status === 'dead') await sendJob(deps.boss, trx, notificationDeadQueue, { organizationId, deliveryId });
    if (step.outcome === 'gone') {
      const reason = `disabled on ${deps.clock().toISOString()}: the target answered 410 Gone to delivery ${deliveryId}; fix the URL if needed and re-enable the channel (PATCH {"enabled": true})`;
      await disableChannel(trx, organizationId, channel.id, reason);
    }
    return { step, error, statusCode, attempt: locked.attempts + 1, budgetAttempts };
  }));
  if (recorded === null) {
    deps.logger.warn({ ...about, statusCode: outcome.kind === 'response' ? outcome.statusCode : null }, 'delivery changed hands during the attempt: its result was not recorded');
    return 'stale';
  }
  const { step, error, statusCode, attempt } = recorded;
  deps.metrics.deliveries.inc({ channel_type: channel.type, outcome: metricOutcome(step, outcome.kind === 'refused') });
  const line = { ...about, attempt, budgetAttempts: recorded.budgetAttempts, statusCode, latencyMs: outcome.latencyMs, outcome: step.outcome, status: step.status, error, ...(step.status === 'pending' ? { retryInSeconds: step.delaySeconds } : {}) };
  if (step.status === 'succeeded') deps.logger.info(line, 'delivered');
  else if (step.status === 'pending') deps.logger.warn(line, 'delivery attempt failed: will retry');
  else if (step.status === 'dead') deps.logger.error(line, 'delivery retries used up: sent to the dead-letter queue');
  else deps.logger.error(line, step.outcome === 'gone' ? 'target is gone: delivery failed and channel disabled' : 'delivery failed permanently');
  return 'attempted';
}
