import {
  channelUrlHost,
  deliveryResponseSchema,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
  notificationChannelCreatedResponseSchema,
  notificationChannelCreateSchema,
  notificationChannelListQuerySchema,
  notificationChannelResponseSchema,
  notificationChannelUpdateSchema,
} from '@planekeeper/domain';
import { deleteChannel, findChannel, listChannels } from '../../db/notification-channels.queries.ts';
import { sendTestDelivery } from '../../services/deliveries.ts';
import { changeNotificationChannel, createNotificationChannel } from '../../services/notification-channels.ts';
import { listPage } from '../pagination.ts';
import { presentDelivery } from '../present/deliveries.ts';
import { presentChannel, presentCreatedChannel } from '../present/notification-channels.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'notification-channels';

export const notificationChannelsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/notification-channels', tag, access: 'read',
    summary: 'List notification channels (their URLs and secrets are never shown)',
    query: notificationChannelListQuerySchema, response: listEnvelopeSchema(notificationChannelResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listChannels(deps.db, auth.organizationId, query, page), presentChannel),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/notification-channels', tag, access: 'write',
    summary: 'Create a Slack, Discord, Teams or generic webhook channel; a webhook channel\'s signing secret is in this answer only',
    body: notificationChannelCreateSchema, response: notificationChannelCreatedResponseSchema,
    handler: async ({ deps, auth, body }) => {
      const created = await createNotificationChannel(deps.db, auth.organizationId, body);
      deps.logger.info({ organizationId: auth.organizationId, channelId: created.id, type: created.type, host: channelUrlHost(created.url), by: auth.keyId }, 'notification channel created');
      return presentCreatedChannel(created);
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/notification-channels/:id', tag, access: 'read', summary: 'Get a notification channel',
    params: idParamsSchema, response: notificationChannelResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findChannel(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('notification channel', params.id);
      return presentChannel(row);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/notification-channels/:id', tag, access: 'write',
    summary: 'Update a notification channel: replace its URL or secret, or re-enable it (clears disabledReason)',
    params: idParamsSchema, body: notificationChannelUpdateSchema, response: notificationChannelResponseSchema,
    handler: async ({ deps, auth, params, body }) => {
      const row = await changeNotificationChannel(deps.db, auth.organizationId, params.id, body);
      deps.logger.info(
        { organizationId: auth.organizationId, channelId: row.id, host: channelUrlHost(row.url), changed: Object.keys(body), enabled: row.enabled, by: auth.keyId },
        'notification channel updated',
      );
      return presentChannel(row);
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/notification-channels/:id', tag, access: 'write',
    summary: 'Delete a notification channel with its rules and deliveries', params: idParamsSchema,
    handler: async ({ deps, auth, params }) => {
      if (!(await deleteChannel(deps.db, auth.organizationId, params.id))) throw notFound('notification channel', params.id);
      deps.logger.info({ organizationId: auth.organizationId, channelId: params.id, by: auth.keyId }, 'notification channel deleted');
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/notification-channels/:id/test', tag, access: 'write',
    summary: 'Send a test message to the channel through the delivery path; answers the test delivery (202)',
    params: idParamsSchema, response: deliveryResponseSchema, status: 202,
    handler: async ({ deps, auth, params }) => presentDelivery(await sendTestDelivery(deps, auth.organizationId, params.id, auth.keyId)),
  }),
];
