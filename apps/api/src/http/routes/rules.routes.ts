import {
  assertRuleThresholds,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
  ruleCreateSchema,
  ruleListQuerySchema,
  ruleResponseSchema,
  ruleUpdateSchema,
} from '@planekeeper/domain';
import { enqueueEvaluation } from '../../services/evaluations.ts';
import { defineRoute } from '../route.ts';
import { createRule, deleteRule, findRule, listRules, presentRule, updateRule } from '../../db/rules.queries.ts';

const tag = 'rules';

async function ruleOr404(...args: Parameters<typeof findRule>) {
  const row = await findRule(...args);
  if (!row) throw notFound('rule', args[2]);
  return row;
}

export const rulesRoutes = [
  defineRoute({
    method: 'get', path: '/api/v1/rules', tag, access: 'read', summary: 'List rules',
    query: ruleListQuerySchema, response: listEnvelopeSchema(ruleResponseSchema),
    handler: ({ deps, auth, query }) => listRules(deps.db, auth.organizationId, query),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/rules', tag, access: 'write', summary: 'Create a rule',
    body: ruleCreateSchema, response: ruleResponseSchema,
    handler: async ({ deps, auth, body }) => presentRule(await createRule(deps.db, auth.organizationId, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/rules/:id', tag, access: 'read', summary: 'Get a rule',
    params: idParamsSchema, response: ruleResponseSchema,
    handler: async ({ deps, auth, params }) => presentRule(await ruleOr404(deps.db, auth.organizationId, params.id)),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/rules/:id', tag, access: 'write',
    summary: 'Update a rule; every alert config that uses it is re-evaluated',
    params: idParamsSchema, body: ruleUpdateSchema, response: ruleResponseSchema,
    handler: async ({ deps, auth, params, body }) =>
      deps.db.transaction().execute(async (trx) => {
        const current = await ruleOr404(trx, auth.organizationId, params.id, { forUpdate: true });
        assertRuleThresholds({ moderate: body.moderate ?? current.moderate, high: body.high ?? current.high, critical: body.critical ?? current.critical });
        const updated = await updateRule(trx, auth.organizationId, params.id, body);
        await enqueueEvaluation(deps.boss, trx, { organizationId: auth.organizationId, reason: 'rule_changed', target: { ruleId: params.id } });
        return presentRule(updated);
      }),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/rules/:id', tag, access: 'write',
    summary: 'Delete a rule (409 while an alert config uses it)', params: idParamsSchema,
    handler: async ({ deps, auth, params }) => {
      const deleted = await deleteRule(deps.db, auth.organizationId, params.id);
      if (!deleted) throw notFound('rule', params.id);
    },
  }),
];
