import {
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
  notificationRuleCreateSchema,
  notificationRuleListQuerySchema,
  notificationRuleResponseSchema,
  notificationRuleUpdateSchema,
  validationFailed,
} from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import type { Kysely, Transaction } from 'kysely';
import {
  channelBelongsTo,
  deleteNotificationRule,
  findNotificationRule,
  insertNotificationRule,
  listNotificationRules,
  presentNotificationRule,
  updateNotificationRule,
} from '../../db/notification-rules.queries.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'notification-rules';

/** 400 naming `channelId` when the channel is not the organization's (never revealing another's). */
async function assertChannel(db: Kysely<Database> | Transaction<Database>, organizationId: string, channelId: string): Promise<void> {
  if (!(await channelBelongsTo(db, organizationId, channelId))) {
    throw validationFailed([{ path: 'channelId', message: `no notification channel ${channelId} in this organization` }], `Invalid notification rule: channelId: no notification channel ${channelId} in this organization`);
  }
}

export const notificationRulesRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/notification-rules', tag, access: 'read', summary: 'List notification rules (filter by channelId)',
    query: notificationRuleListQuerySchema, response: listEnvelopeSchema(notificationRuleResponseSchema),
    handler: ({ deps, auth, query }) => listNotificationRules(deps.db, auth.organizationId, query),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/notification-rules', tag, access: 'write',
    summary: 'Create a notification rule: these events of these severities go to this channel',
    body: notificationRuleCreateSchema, response: notificationRuleResponseSchema,
    handler: async ({ deps, auth, body }) =>
      deps.db.transaction().execute(async (trx) => {
        await assertChannel(trx, auth.organizationId, body.channelId);
        return presentNotificationRule(await insertNotificationRule(trx, auth.organizationId, body));
      }),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/notification-rules/:id', tag, access: 'read', summary: 'Get a notification rule',
    params: idParamsSchema, response: notificationRuleResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findNotificationRule(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('notification rule', params.id);
      return presentNotificationRule(row);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/notification-rules/:id', tag, access: 'write', summary: 'Update a notification rule',
    params: idParamsSchema, body: notificationRuleUpdateSchema, response: notificationRuleResponseSchema,
    handler: async ({ deps, auth, params, body }) =>
      deps.db.transaction().execute(async (trx) => {
        if (!(await findNotificationRule(trx, auth.organizationId, params.id))) throw notFound('notification rule', params.id);
        if (body.channelId !== undefined) await assertChannel(trx, auth.organizationId, body.channelId);
        const row = await updateNotificationRule(trx, auth.organizationId, params.id, body);
        if (!row) throw notFound('notification rule', params.id);
        return presentNotificationRule(row);
      }),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/notification-rules/:id', tag, access: 'write', summary: 'Delete a notification rule', params: idParamsSchema,
    handler: async ({ deps, auth, params }) => {
      if (!(await deleteNotificationRule(deps.db, auth.organizationId, params.id))) throw notFound('notification rule', params.id);
    },
  }),
];
