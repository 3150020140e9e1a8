import { evaluationListQuerySchema, evaluationResponseSchema, idSchema, listEnvelopeSchema, notFound } from '@planekeeper/domain';
import { z } from 'zod';
import { findEvaluation, listEvaluations } from '../../db/evaluations.queries.ts';
import { listPage } from '../pagination.ts';
import { presentEvaluation } from '../present/evaluations.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'evaluations';

export const evaluationsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/evaluations', tag, access: 'read',
    summary: 'The latest evaluation of each alert config, including unknown ones with their reason',
    query: evaluationListQuerySchema, response: listEnvelopeSchema(evaluationResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listEvaluations(deps.db, auth.organizationId, query, page), presentEvaluation),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/evaluations/:alertConfigId', tag, access: 'read',
    summary: 'The latest evaluation of one alert config (404 until it has been evaluated)',
    params: z.strictObject({ alertConfigId: idSchema }), response: evaluationResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findEvaluation(deps.db, auth.organizationId, params.alertConfigId);
      if (!row) throw notFound('evaluation of alert config', params.alertConfigId);
      return presentEvaluation(row);
    },
  }),
];
