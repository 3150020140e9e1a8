import {
  alertConfigCreateSchema,
  alertConfigListQuerySchema,
  alertConfigResponseSchema,
  alertConfigUpdateSchema,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
} from '@planekeeper/domain';
import { findAlertConfig, listAlertConfigs } from '../../db/alert-configs.queries.ts';
import { changeAlertConfig, createAlertConfig, removeAlertConfig } from '../../services/alert-configs.ts';
import { listPage } from '../pagination.ts';
import { presentAlertConfig } from '../present/alert-configs.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'alert-configs';

export const alertConfigsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/alert-configs', tag, access: 'read', summary: 'List alert configs',
    query: alertConfigListQuerySchema, response: listEnvelopeSchema(alertConfigResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listAlertConfigs(deps.db, auth.organizationId, query, page), presentAlertConfig),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/alert-configs', tag, access: 'write',
    summary: "Create an alert config (gather job + scrape job + rule of the caller's organization); it is evaluated at once",
    body: alertConfigCreateSchema, response: alertConfigResponseSchema,
    handler: async ({ deps, auth, body }) => presentAlertConfig(await createAlertConfig(deps, auth.organizationId, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/alert-configs/:id', tag, access: 'read', summary: 'Get an alert config',
    params: idParamsSchema, response: alertConfigResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findAlertConfig(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('alert config', params.id);
      return presentAlertConfig(row);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/alert-configs/:id', tag, access: 'write',
    summary: 'Update an alert config; an enabled one is re-evaluated, disabling one resolves its open alert',
    params: idParamsSchema, body: alertConfigUpdateSchema, response: alertConfigResponseSchema,
    handler: async ({ deps, auth, params, body }) => presentAlertConfig(await changeAlertConfig(deps, auth.organizationId, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/alert-configs/:id', tag, access: 'write',
    summary: 'Delete an alert config; its open alert is resolved and its alerts stay in history',
    params: idParamsSchema,
    handler: ({ deps, auth, params }) => removeAlertConfig(deps, auth.organizationId, params.id),
  }),
];
