import { deliveryDetailResponseSchema, deliveryListQuerySchema, deliveryResponseSchema, idParamsSchema, listEnvelopeSchema, notFound } from '@planekeeper/domain';
import { findDelivery, listDeliveries, listDeliveryAttempts } from '../../db/deliveries.queries.ts';
import { replayDelivery } from '../../services/deliveries.ts';
import { listPage } from '../pagination.ts';
import { presentDelivery, presentDeliveryDetail } from '../present/deliveries.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'deliveries';

export const deliveriesRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/deliveries', tag, access: 'read',
    summary: 'List deliveries, newest first (filter by status, e.g. ?status=dead for the dead-letter queue, channelId, alertEventId)',
    query: deliveryListQuerySchema, response: listEnvelopeSchema(deliveryResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listDeliveries(deps.db, auth.organizationId, query, page), presentDelivery),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/deliveries/:id', tag, access: 'read', summary: 'Get a delivery with every attempt (time, status code, latency, error, outcome)',
    params: idParamsSchema, response: deliveryDetailResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const delivery = await findDelivery(deps.db, auth.organizationId, params.id);
      if (!delivery) throw notFound('delivery', params.id);
      return presentDeliveryDetail({ delivery, attempts: await listDeliveryAttempts(deps.db, auth.organizationId, delivery.id) });
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/deliveries/:id/replay', tag, access: 'write',
    summary: 'Send a failed or dead delivery again with a fresh retry budget; it keeps its id (webhook-id). 409 for a pending or succeeded one',
    params: idParamsSchema, response: deliveryResponseSchema, status: 202,
    handler: async ({ deps, auth, params }) => presentDelivery(await replayDelivery(deps, auth.organizationId, params.id, auth.keyId)),
  }),
];
