import {
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
  notificationRuleCreateSchema,
  notificationRuleListQuerySchema,
  notificationRuleResponseSchema,
  notificationRuleUpdateSchema,
} from '@planekeeper/domain';
import { deleteNotificationRule, findNotificationRule, listNotificationRules } from '../../db/notification-rules.queries.ts';
import { changeNotificationRule, createNotificationRule } from '../../services/notification-rules.ts';
import { listPage } from '../pagination.ts';
import { presentNotificationRule } from '../present/notification-rules.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'notification-rules';

export const notificationRulesRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/notification-rules', tag, access: 'read', summary: 'List notification rules (filter by channelId)',
    query: notificationRuleListQuerySchema, response: listEnvelopeSchema(notificationRuleResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listNotificationRules(deps.db, auth.organizationId, query, page), presentNotificationRule),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/notification-rules', tag, access: 'write',
    summary: 'Create a notification rule: these events of these severities go to this channel',
    body: notificationRuleCreateSchema, response: notificationRuleResponseSchema,
    handler: async ({ deps, auth, body }) => presentNotificationRule(await createNotificationRule(deps, auth.organizationId, body)),
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
    handler: async ({ deps, auth, params, body }) => presentNotificationRule(await changeNotificationRule(deps, auth.organizationId, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/notification-rules/:id', tag, access: 'write', summary: 'Delete a notification rule', params: idParamsSchema,
    handler: async ({ deps, auth, params }) => {
      if (!(await deleteNotificationRule(deps.db, auth.organizationId, params.id))) throw notFound('notification rule', params.id);
    },
  }),
];
