import {
  enrollmentTokenCreatedResponseSchema,
  enrollmentTokenCreateSchema,
  enrollmentTokenListQuerySchema,
  enrollmentTokenResponseSchema,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
} from '@planekeeper/domain';
import { listEnrollmentTokens, revokeEnrollmentToken } from '../../db/agent-enrollment-tokens.queries.ts';
import { createEnrollmentToken } from '../../services/enrollment-tokens.ts';
import { listPage } from '../pagination.ts';
import { presentCreatedEnrollmentToken, presentEnrollmentToken } from '../present/agent-enrollment.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'agent-enrollment-tokens';

export const agentEnrollmentTokensRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/agent-enrollment-tokens', tag, access: 'admin', summary: 'List agent enrollment tokens (never the tokens themselves)',
    query: enrollmentTokenListQuerySchema, response: listEnvelopeSchema(enrollmentTokenResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listEnrollmentTokens(deps.db, auth.organizationId, page), presentEnrollmentToken),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent-enrollment-tokens', tag, access: 'admin',
    summary: 'Create an enrollment token an agent trades for a key of its own (POST /agent/enroll); the token (pket_...) is in this answer only',
    body: enrollmentTokenCreateSchema, response: enrollmentTokenCreatedResponseSchema,
    handler: async ({ deps, auth, body }) => {
      const created = await createEnrollmentToken(deps.db, auth.organizationId, body, deps.clock());
      deps.logger.info({ organizationId: auth.organizationId, enrollmentTokenId: created.row.id, maxUses: created.row.max_uses, by: auth.keyId }, 'enrollment token created');
      return presentCreatedEnrollmentToken(created);
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/agent-enrollment-tokens/:id', tag, access: 'admin',
    summary: 'Revoke an enrollment token: no agent enrolls with it any more (agents enrolled already keep their keys)', params: idParamsSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await revokeEnrollmentToken(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('enrollment token', params.id);
      deps.logger.info({ organizationId: auth.organizationId, enrollmentTokenId: row.id, by: auth.keyId }, 'enrollment token revoked');
    },
  }),
];
