import type { DeliveryAttemptRow, DeliveryRow } from '@planekeeper/db';
import type { DeliveryAttemptResponse, DeliveryDetailResponse, DeliveryResponse } from '@planekeeper/domain';

/** A delivery as the API shows it; its id is the `webhook-id` receivers see. */
export function presentDelivery(row: DeliveryRow): DeliveryResponse {
  return {
    id: row.id,
    kind: row.kind,
    alertEventId: row.alert_event_id,
    channelId: row.channel_id,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    replayedAt: row.replayed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentAttempt(row: DeliveryAttemptRow): DeliveryAttemptResponse {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    attemptedAt: row.attempted_at.toISOString(),
    outcome: row.outcome,
    statusCode: row.status_code,
    error: row.error,
    latencyMs: row.latency_ms,
  };
}

/** A delivery with every attempt, oldest first. */
export function presentDeliveryDetail(detail: { delivery: DeliveryRow; attempts: readonly DeliveryAttemptRow[] }): DeliveryDetailResponse {
  return { ...presentDelivery(detail.delivery), attemptHistory: detail.attempts.map(presentAttempt) };
}
