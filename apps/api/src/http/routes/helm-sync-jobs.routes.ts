import {
  helmSyncJobCreateSchema,
  helmSyncJobListQuerySchema,
  helmSyncJobResponseSchema,
  helmSyncJobUpdateSchema,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
  taskResponseSchema,
} from '@planekeeper/domain';
import { findHelmSyncJob, listHelmSyncJobs } from '../../db/helm-sync-jobs.queries.ts';
import { createHelmSyncJob, editHelmSyncJob, removeHelmSyncJob } from '../../services/edit-helm-sync-job.ts';
import { runJobNow } from '../../services/run-job-now.ts';
import { listPage } from '../pagination.ts';
import { presentHelmSyncJob } from '../present/jobs.ts';
import { presentTask } from '../present/tasks.ts';
import { defineRoute, reply, type RouteDefinition } from '../route.ts';

const tag = 'helm-sync-jobs';

async function helmSyncJobOr404(...args: Parameters<typeof findHelmSyncJob>) {
  const row = await findHelmSyncJob(...args);
  if (!row) throw notFound('helm sync job', args[2]);
  return row;
}

export const helmSyncJobsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/helm-sync-jobs', tag, access: 'read', summary: 'List helm sync jobs, newest first (filter: enabled)',
    query: helmSyncJobListQuerySchema, response: listEnvelopeSchema(helmSyncJobResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listHelmSyncJobs(deps.db, auth.organizationId, query, page), presentHelmSyncJob),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/helm-sync-jobs', tag, access: 'write',
    summary: 'Create a helm sync job: it keeps one gather job per chart of the repository; an enabled job runs at once',
    body: helmSyncJobCreateSchema, response: helmSyncJobResponseSchema,
    handler: async ({ deps, auth, body }) => presentHelmSyncJob(await createHelmSyncJob(deps, auth.organizationId, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/helm-sync-jobs/:id', tag, access: 'read', summary: 'Get a helm sync job',
    params: idParamsSchema, response: helmSyncJobResponseSchema,
    handler: async ({ deps, auth, params }) => presentHelmSyncJob(await helmSyncJobOr404(deps.db, auth.organizationId, params.id)),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/helm-sync-jobs/:id', tag, access: 'write',
    summary: 'Update a helm sync job; a new repository, filter, credential or gather schedule runs it at once',
    params: idParamsSchema, body: helmSyncJobUpdateSchema, response: helmSyncJobResponseSchema,
    handler: async ({ deps, auth, params, body }) => presentHelmSyncJob(await editHelmSyncJob(deps, auth.organizationId, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/helm-sync-jobs/:id', tag, access: 'write',
    summary: 'Delete a helm sync job; the gather jobs it made stay as ordinary gather jobs', params: idParamsSchema,
    handler: ({ deps, auth, params }) => removeHelmSyncJob(deps, auth.organizationId, params.id),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/helm-sync-jobs/:id/run', tag, access: 'write',
    summary: 'Run a helm sync job now: 202 with the new pending task, or 200 with the task already open (409 when disabled)',
    params: idParamsSchema, response: taskResponseSchema, status: 202,
    handler: async ({ deps, auth, params }) => {
      const { task, created } = await runJobNow(deps, auth.organizationId, 'helm_sync', await helmSyncJobOr404(deps.db, auth.organizationId, params.id));
      return reply(created ? 202 : 200, presentTask(task));
    },
  }),
];
