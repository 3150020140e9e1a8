import { agentDiagnosticsViewSchema, idParamsSchema, notFound, probeCreateSchema, probeParamsSchema, probeResponseSchema } from '@planekeeper/domain';
import { findAgent } from '../../db/agents.queries.ts';
import { findDiagnostics } from '../../db/agent-probes.queries.ts';
import { getProbe, requestProbe } from '../../services/agent-probes.ts';
import { presentDiagnostics, presentProbe } from '../present/agent-enrollment.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'agents';

export const agentProbesRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post', path: '/api/v1/agents/:id/probes', tag, access: 'admin',
    summary: 'Ask an agent to probe a target ({ url } or { host, port }): resolve, connect and, for https, a TLS handshake. The agent refuses targets its configuration does not allow',
    params: idParamsSchema, body: probeCreateSchema, response: probeResponseSchema, status: 202,
    handler: async ({ deps, auth, params, body }) => {
      const row = await requestProbe(deps, auth.organizationId, params.id, body);
      deps.logger.info({ organizationId: auth.organizationId, agentId: params.id, probeId: row.id, by: auth.keyId }, 'probe requested');
      return presentProbe(row);
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/agents/:id/probes/:probeId', tag, access: 'read',
    summary: 'A probe: pending until its agent reports, then each step\'s time, the address reached, the TLS certificate, or why it failed or was refused',
    params: probeParamsSchema, response: probeResponseSchema,
    handler: async ({ deps, auth, params }) => presentProbe(await getProbe(deps, auth.organizationId, params.id, params.probeId)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/agents/:id/diagnostics', tag, access: 'read',
    summary: 'The effective configuration the agent last reported, every secret redacted by the agent',
    params: idParamsSchema, response: agentDiagnosticsViewSchema,
    handler: async ({ deps, auth, params }) => {
      if (!(await findAgent(deps.db, auth.organizationId, params.id))) throw notFound('agent', params.id);
      return presentDiagnostics(params.id, await findDiagnostics(deps.db, auth.organizationId, params.id));
    },
  }),
];
