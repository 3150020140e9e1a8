import { idParamsSchema, listEnvelopeSchema, notFound, taskListQuerySchema, taskResponseSchema } from '@planekeeper/domain';
import { findTask, listTasks } from '../../db/tasks.queries.ts';
import { withBlockedReason, withTaskBlockedReasons } from '../../services/blocked-work.ts';
import { listPage } from '../pagination.ts';
import { presentTask } from '../present/tasks.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'tasks';

export const tasksRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/tasks', tag, access: 'read', summary: 'List tasks, newest first (filters: jobId, status, kind); lease tokens are never shown',
    query: taskListQuerySchema, response: listEnvelopeSchema(taskResponseSchema),
    handler: async ({ deps, auth, query }) => {
      const page = await listPage(query, (p) => listTasks(deps.db, auth.organizationId, query, p), presentTask);
      return { ...page, items: await withTaskBlockedReasons(deps, auth.organizationId, page.items) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/tasks/:id', tag, access: 'read', summary: 'Get a task',
    params: idParamsSchema, response: taskResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = await findTask(deps.db, auth.organizationId, params.id);
      if (!row) throw notFound('task', params.id);
      return withBlockedReason(withTaskBlockedReasons, deps, auth.organizationId, presentTask(row));
    },
  }),
];
