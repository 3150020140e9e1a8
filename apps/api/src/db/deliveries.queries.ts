import type { Database, DeliveryAttemptRow, DeliveryRow } from '@planekeeper/db';
import type { DeliveryAttemptResponse, DeliveryDetailResponse, DeliveryListQuery, DeliveryResponse } from '@planekeeper/domain';
import type { Kysely, Transaction } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

type Db = Kysely<Database> | Transaction<Database>;

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

/** Deliveries of the organization, newest first, filtered by status, channel and alert event. */
export async function listDeliveries(db: Db, organizationId: string, query: DeliveryListQuery) {
  let q = db.selectFrom('deliveries').selectAll().select(cursorColumn('deliveries').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.channelId) q = q.where('channel_id', '=', query.channelId);
  if (query.alertEventId) q = q.where('alert_event_id', '=', query.alertEventId);
  if (query.cursor) q = q.where(afterCursor('deliveries', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentDelivery);
}

/** A delivery of the organization with every attempt, oldest first, or undefined. */
export async function findDeliveryDetail(db: Db, organizationId: string, id: string): Promise<DeliveryDetailResponse | undefined> {
  const row = await db.selectFrom('deliveries').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const attempts = await db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('delivery_id', '=', id)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
  return { ...presentDelivery(row), attemptHistory: attempts.map(presentAttempt) };
}
