import { idParamsSchema, taskResponseSchema } from '@planekeeper/domain';
import { presentTask } from '../present/tasks.ts';
import { retryTask } from '../../services/retry-task.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

export const taskRetryRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post', path: '/api/v1/tasks/:id/retry', tag: 'tasks', access: 'write', status: 201,
    summary: 'Retry a failed task: 201 with a new pending task of the same job (409 when the task did not fail, its job is disabled or manual, or the job already has a pending or running task)',
    params: idParamsSchema, response: taskResponseSchema,
    handler: async ({ deps, auth, params }) => presentTask(await retryTask(deps, auth.organizationId, params.id, auth.keyId)),
  }),
];
