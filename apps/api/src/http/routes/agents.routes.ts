import { agentListQuerySchema, agentResponseSchema, idParamsSchema, listEnvelopeSchema, notFound } from '@planekeeper/domain';
import type { AgentRow } from '@planekeeper/db';
import { findAgent, listAgents, setDraining } from '../../db/agents.queries.ts';
import type { ApiDeps } from '../../deps.ts';
import { forgetAgent } from '../../services/forget-agent.ts';
import { listPage } from '../pagination.ts';
import { presentAgent } from '../present/agents.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'agents';
const present = (deps: ApiDeps) => (row: AgentRow) =>
  presentAgent(row, deps.clock(), { staleAfterSeconds: deps.config.AGENT_STALE_AFTER_SECONDS, offlineAfterSeconds: deps.config.AGENT_OFFLINE_AFTER_SECONDS });

function drainRoute(action: 'drain' | 'uncordon') {
  return defineRoute({
    method: 'post', path: `/api/v1/agents/:id/${action}`, tag, access: 'write',
    summary: action === 'drain' ? 'Drain an agent: it finishes what it runs and gets no new tasks' : 'Uncordon a drained agent: it gets tasks again',
    params: idParamsSchema, response: agentResponseSchema, status: 200,
    handler: async ({ deps, auth, params }) => {
      const row = await setDraining(deps.db, auth.organizationId, params.id, action === 'drain');
      if (!row) throw notFound('agent', params.id);
      deps.logger.info({ organizationId: auth.organizationId, agentId: row.id, by: auth.keyId }, `agent ${action === 'drain' ? 'drained' : 'uncordoned'}`);
      return present(deps)(row);
    },
  });
}

export const agentsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/agents', tag, access: 'read', summary: 'List agents with their status (online, stale, offline; draining), health, clock skew and warnings',
    query: agentListQuerySchema, response: listEnvelopeSchema(agentResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listAgents(deps.db, auth.organizationId, page, query), present(deps)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/agents/:id', tag, access: 'read', summary: 'Get an agent: status, latest health sample, clock skew, duplicate instances and warnings',
    params: idParamsSchema, response: agentResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findAgent(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('agent', params.id);
      return present(deps)(row);
    },
  }),
  drainRoute('drain'),
  drainRoute('uncordon'),
  defineRoute({
    method: 'delete', path: '/api/v1/agents/:id', tag, access: 'write',
    summary: 'Forget an agent; tasks it held go back to pending', params: idParamsSchema,
    handler: ({ deps, auth, params }) => forgetAgent(deps, auth.organizationId, params.id),
  }),
];
