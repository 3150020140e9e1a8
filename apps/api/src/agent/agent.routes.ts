import { sendJob } from '@planekeeper/db';
import {
  agentHeartbeatResponseSchema,
  agentHeartbeatSchema,
  idParamsSchema,
  PlanekeeperError,
  taskClaimResponseSchema,
  taskClaimSchema,
  taskCompletedQueue,
  taskFailureBodySchema,
  taskLeaseResponseSchema,
  taskLeaseSchema,
  taskResultBodySchema,
  taskResultSchemaFor,
} from '@planekeeper/domain';
import { z } from 'zod';
import { claimPendingTasks, finishTask, lockTask, recordHeartbeat, renewLease, type ClaimedTaskRow } from '../db/agent-tasks.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { invalidRequest } from '../http/errors.ts';
import { defineRoute, reply } from '../http/route.ts';

const tag = 'agent';
const accepted = z.object({ taskId: z.string(), status: z.enum(['succeeded', 'failed']) });

function staleLease(taskId: string): PlanekeeperError {
  return new PlanekeeperError('conflict', `the lease on task ${taskId} is no longer valid: the task was recovered, reassigned or already reported`);
}

function presentClaim(row: ClaimedTaskRow) {
  return {
    id: row.id,
    kind: row.kind,
    jobId: row.job_id,
    leaseToken: row.lease_token,
    leaseExpiresAt: row.lease_expires_at.toISOString(),
    credentialName: row.credential_name,
    spec: row.spec,
  };
}

/**
 * Claims at once, or waits (holding no database connection) until a task becomes pending in the
 * organization, the wait runs out, or the agent hangs up.
 */
async function claimWithLongPoll(deps: ApiDeps, organizationId: string, claim: z.output<typeof taskClaimSchema>, hungUp: AbortSignal) {
  const deadline = Date.now() + Math.min(claim.wait, deps.config.AGENT_MAX_WAIT_SECONDS) * 1000;
  // Each look reads the agent afresh: a drain or uncordon while waiting takes effect at the next.
  for (let first = true; ; first = false) {
    if (hungUp.aborted) return [];
    const { agentFound, tasks } = await claimPendingTasks(deps.db, { organizationId, agentId: claim.agentId, max: claim.max, leaseSeconds: deps.config.AGENT_LEASE_SECONDS });
    if (!agentFound) {
      if (first) throw new PlanekeeperError('not_found', `agent ${claim.agentId} not found: send a heartbeat first`);
      return [];
    }
    if (tasks.length > 0) return tasks;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return [];
    await deps.taskWaiters.wait(organizationId, remaining, hungUp);
  }
}

export const agentRoutes = [
  defineRoute({
    method: 'post', path: '/api/v1/agent/heartbeat', tag, access: 'agent',
    summary: 'Register or refresh an agent (identified by organization and name)',
    body: agentHeartbeatSchema, response: agentHeartbeatResponseSchema, status: 200,
    handler: async ({ deps, auth, body }) => {
      const agentId = await recordHeartbeat(deps.db, auth.organizationId, body);
      return { agentId, pollIntervalSeconds: deps.config.AGENT_POLL_INTERVAL_SECONDS, serverTime: deps.clock().toISOString() };
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
      const tasks = await claimWithLongPoll(deps, auth.organizationId, body, hangUp.signal);
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
    handler: async ({ deps, auth, params, body }) => {
      const expires = await renewLease(deps.db, auth.organizationId, params.id, body.leaseToken, deps.config.AGENT_LEASE_SECONDS);
      if (expires) return { leaseExpiresAt: expires.toISOString() };
      const exists = await deps.db.selectFrom('tasks').select('id').where('organization_id', '=', auth.organizationId).where('id', '=', params.id).executeTakeFirst();
      throw exists ? staleLease(params.id) : new PlanekeeperError('not_found', `task ${params.id} not found`);
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/tasks/:id/result', tag, access: 'agent',
    summary: 'Report the result of a task (409 when the lease is no longer valid; nothing changes)',
    params: idParamsSchema, body: taskResultBodySchema, response: accepted, status: 202,
    handler: async ({ deps, auth, params, body }) =>
      deps.db.transaction().execute(async (trx) => {
        const task = await lockTask(trx, auth.organizationId, params.id);
        if (!task) throw new PlanekeeperError('not_found', `task ${params.id} not found`);
        if (task.status !== 'claimed' || task.lease_token !== body.leaseToken) throw staleLease(params.id);
        const parsed = taskResultSchemaFor(task.kind).safeParse(body.result);
        if (!parsed.success) {
          throw invalidRequest([{ path: 'result', message: `not a ${task.kind} result: ${parsed.error.issues[0]?.message ?? 'wrong shape'}` }]);
        }
        await finishTask(trx, task.id, { status: 'succeeded', result: parsed.data });
        await sendJob(deps.boss, trx, taskCompletedQueue, { organizationId: auth.organizationId, taskId: task.id });
        return { taskId: task.id, status: 'succeeded' as const };
      }),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/agent/tasks/:id/failure', tag, access: 'agent',
    summary: 'Report that a task failed (409 when the lease is no longer valid; nothing changes)',
    params: idParamsSchema, body: taskFailureBodySchema, response: accepted, status: 202,
    handler: async ({ deps, auth, params, body }) =>
      deps.db.transaction().execute(async (trx) => {
        const task = await lockTask(trx, auth.organizationId, params.id);
        if (!task) throw new PlanekeeperError('not_found', `task ${params.id} not found`);
        if (task.status !== 'claimed' || task.lease_token !== body.leaseToken) throw staleLease(params.id);
        await finishTask(trx, task.id, { status: 'failed', error: body.error.message });
        deps.logger.info({ organizationId: auth.organizationId, taskId: task.id, jobId: task.job_id, kind: task.kind, retryable: body.error.retryable, error: body.error.message }, 'task failed');
        return { taskId: task.id, status: 'failed' as const };
      }),
  }),
];
