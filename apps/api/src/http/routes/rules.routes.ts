import { idParamsSchema, listEnvelopeSchema, notFound, ruleCreateSchema, ruleListQuerySchema, ruleResponseSchema, ruleUpdateSchema } from '@planekeeper/domain';
import { createRule, deleteRule, findRule, listRules } from '../../db/rules.queries.ts';
import { changeRule } from '../../services/change-rule.ts';
import { listPage } from '../pagination.ts';
import { presentRule } from '../present/rules.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'rules';

export const rulesRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/rules', tag, access: 'read', summary: 'List rules',
    query: ruleListQuerySchema, response: listEnvelopeSchema(ruleResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listRules(deps.db, auth.organizationId, query, page), presentRule),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/rules', tag, access: 'write', summary: 'Create a rule',
    body: ruleCreateSchema, response: ruleResponseSchema,
    handler: async ({ deps, auth, body }) => presentRule(await createRule(deps.db, auth.organizationId, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/rules/:id', tag, access: 'read', summary: 'Get a rule',
    params: idParamsSchema, response: ruleResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findRule(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('rule', params.id);
      return presentRule(row);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/rules/:id', tag, access: 'write',
    summary: 'Update a rule; every alert config that uses it is re-evaluated',
    params: idParamsSchema, body: ruleUpdateSchema, response: ruleResponseSchema,
    handler: async ({ deps, auth, params, body }) => presentRule(await changeRule(deps, auth.organizationId, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/rules/:id', tag, access: 'write',
    summary: 'Delete a rule (409 while an alert config uses it)', params: idParamsSchema,
    handler: async ({ deps, auth, params }) => {
      if (!(await deleteRule(deps.db, auth.organizationId, params.id))) throw notFound('rule', params.id);
    },
  }),
];
