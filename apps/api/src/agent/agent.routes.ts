import {
  agentHeartbeatResponseSchema,
  agentHeartbeatSchema,
  idParamsSchema,
  taskClaimResponseSchema,
  taskClaimSchema,
  taskFailureBodySchema,
  taskLeaseResponseSchema,
  taskLeaseSchema,
  taskResultBodySchema,
} from '@planekeeper/domain';
import { z } from 'zod';
import { presentClaim } from '../http/present/tasks.ts';
import { defineRoute, reply } from '../http/route.ts';
import { claimTasks } from '../services/claim-tasks.ts';
import { recordHeartbeat } from '../services/record-heartbeat.ts';
import { renewTaskLease, reportTaskFailure, reportTaskResult } from '../services/report-task.ts';

const tag = 'agent';
const accepted = z.object({ taskId: z.string(), status: z.enum(['succeeded', 'failed']) });

export const agentRoutes = [
  defineRoute({
    method: 'post', path: '/api/v1/agent/heartbeat', tag, access: 'agent',
    summary: 'Register or refresh an agent (identified by organization and name), with its health and clock',
    body: agentHeartbeatSchema, response: agentHeartbeatResponseSchema, status: 200,
    errors: {
      403: 'A key enrolled for another agent name (code forbidden)',
      409: 'The agent was forgotten while this heartbeat was recorded: send it again (code conflict)',
    },
    handler: async ({ deps, auth, body }) => {
      const receivedAt = deps.clock();
      const beat = await recordHeartbeat(deps, auth.organizationId, body, receivedAt, auth.agentId);
      return {
        agentId: beat.agentId,
        pollIntervalSeconds: deps.config.AGENT_POLL_INTERVAL_SECONDS,
        serverTime: deps.clock().toISOString(),
        clockSkewSeconds: beat.clockSkewMs === null ? null : beat.clockSkewMs / 1000,
        warnings: beat.warnings,
      };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/tasks/claim', tag, access: 'agent',
    summary: 'Claim up to max tasks, long-polling up to wait seconds; 204 when there is nothing',
    body: taskClaimSchema, response: taskClaimResponseSchema, status: 200,
    errors: { 404: 'The agent (agentId) is unknown: send a heartbeat first (code not_found)' },
    handler: async ({ deps, auth, body, res }) => {
      const hangUp = new AbortController();
      // Only a hang-up aborts: after an answer nothing waits (and an abort costs an AbortError).
      res.on('close', () => {
        if (!res.writableFinished) hangUp.abort();
      });
      const tasks = await claimTasks(deps, auth, body, hangUp.signal);
      if (tasks.length === 0) return reply(204);
      if (hangUp.signal.aborted) {
        deps.logger.warn({ organizationId: auth.organizationId, agentId: body.agentId, tasks: tasks.map((t) => t.id) }, 'agent hung up as tasks were claimed; recovery will release them');
      }
      deps.logger.debug({ organizationId: auth.organizationId, agentId: body.agentId, tasks: tasks.map((t) => t.id) }, 'tasks claimed');
      return { tasks: tasks.map(presentClaim) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/tasks/:id/lease', tag, access: 'agent',
    summary: 'Renew the lease on a task during long work (409 when the lease is no longer valid)',
    params: idParamsSchema, body: taskLeaseSchema, response: taskLeaseResponseSchema, status: 200,
    handler: async ({ deps, auth, params, body }) => ({ leaseExpiresAt: (await renewTaskLease(deps, auth.organizationId, params.id, body.leaseToken)).toISOString() }),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/tasks/:id/result', tag, access: 'agent',
    summary: 'Report the result of a task (409 when the lease is no longer valid; nothing changes)',
    params: idParamsSchema, body: taskResultBodySchema, response: accepted, status: 202, bodyLimit: 'agent_results',
    handler: ({ deps, auth, params, body }) => reportTaskResult(deps, auth.organizationId, params.id, body),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/tasks/:id/failure', tag, access: 'agent',
    summary: 'Report that a task failed (409 when the lease is no longer valid; nothing changes)',
    params: idParamsSchema, body: taskFailureBodySchema, response: accepted, status: 202,
    handler: ({ deps, auth, params, body }) => reportTaskFailure(deps, auth.organizationId, params.id, body),
  }),
];
