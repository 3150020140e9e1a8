import {
  apiKeyCreatedResponseSchema,
  apiKeyCreateSchema,
  apiKeyListQuerySchema,
  apiKeyResponseSchema,
  apiKeyUpdateSchema,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
} from '@planekeeper/domain';
import { findApiKey, listApiKeys, renameApiKey, revokeApiKey } from '../../db/api-keys.queries.ts';
import { createApiKey } from '../../services/api-keys.ts';
import { deleteUiSessionsOfKey } from '../../db/ui-sessions.queries.ts';
import { listPage } from '../pagination.ts';
import { presentApiKey, presentCreatedApiKey } from '../present/api-keys.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'api-keys';

export const apiKeysRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/api-keys', tag, access: 'admin', summary: 'List API keys (never the keys themselves)',
    query: apiKeyListQuerySchema, response: listEnvelopeSchema(apiKeyResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listApiKeys(deps.db, auth.organizationId, query, page), presentApiKey),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/api-keys', tag, access: 'admin',
    summary: 'Create an API key; the key (pk_...) is in this answer only',
    body: apiKeyCreateSchema, response: apiKeyCreatedResponseSchema,
    handler: async ({ deps, auth, body }) => {
      const created = await createApiKey(deps.db, auth.organizationId, body);
      deps.logger.info({ organizationId: auth.organizationId, keyId: created.row.id, role: created.row.role, by: auth.keyId }, 'api key created');
      return presentCreatedApiKey(created);
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/api-keys/:id', tag, access: 'admin', summary: 'Get an API key',
    params: idParamsSchema, response: apiKeyResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findApiKey(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('API key', params.id);
      return presentApiKey(row);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/api-keys/:id', tag, access: 'admin', summary: 'Rename an API key',
    params: idParamsSchema, body: apiKeyUpdateSchema, response: apiKeyResponseSchema,
    handler: async ({ deps, auth, params, body }) => {
      const row = await renameApiKey(deps.db, auth.organizationId, params.id, body.name);
      if (!row) throw notFound('API key', params.id);
      deps.apiKeys.evict(row.id);
      return presentApiKey(row);
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/api-keys/:id', tag, access: 'admin',
    summary: 'Revoke an API key: it stops working at once; the record stays', params: idParamsSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await revokeApiKey(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('API key', params.id);
      // Here at once; other processes when the trigger's notification reaches them.
      deps.apiKeys.evict(row.id);
      await deleteUiSessionsOfKey(deps.db, auth.organizationId, row.id);
      deps.logger.info({ organizationId: auth.organizationId, keyId: row.id, by: auth.keyId }, 'api key revoked');
    },
  }),
];
