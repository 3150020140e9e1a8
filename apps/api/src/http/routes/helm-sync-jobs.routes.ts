import {
  helmSyncJobCreateSchema,
  helmSyncJobListQuerySchema,
  helmSyncJobResponseSchema,
  helmSyncJobUpdateSchema,
  idParamsSchema,
  listEnvelopeSchema,
} from '@planekeeper/domain';
import { listHelmSyncJobs } from '../../db/helm-sync-jobs.queries.ts';
import { helmSyncJobs } from '../../services/job-kinds.ts';
import { createJob, editJob, jobOr404, removeJob } from '../../services/jobs.ts';
import { withBlockedReason, withJobBlockedReasons } from '../../services/blocked-work.ts';
import { listPage } from '../pagination.ts';
import { withLastTask, withLastTasks } from '../present/last-task.ts';
import { presentHelmSyncJob } from '../present/jobs.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';
import { runNowRoute } from './run-now.ts';

const tag = 'helm-sync-jobs';

export const helmSyncJobsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/helm-sync-jobs', tag, access: 'read', summary: 'List helm sync jobs, newest first (filter: enabled)',
    query: helmSyncJobListQuerySchema, response: listEnvelopeSchema(helmSyncJobResponseSchema),
    handler: async ({ deps, auth, query }) => {
      const page = await listPage(query, (p) => listHelmSyncJobs(deps.db, auth.organizationId, query, p), presentHelmSyncJob);
      return withLastTasks(deps.db, auth.organizationId, { ...page, items: await withJobBlockedReasons(deps, auth.organizationId, page.items) });
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/helm-sync-jobs', tag, access: 'write',
    summary: 'Create a helm sync job: it keeps one gather job per chart of the repository; an enabled job runs at once',
    body: helmSyncJobCreateSchema, response: helmSyncJobResponseSchema,
    handler: async ({ deps, auth, body }) => presentHelmSyncJob(await createJob(deps, auth.organizationId, helmSyncJobs, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/helm-sync-jobs/:id', tag, access: 'read', summary: 'Get a helm sync job',
    params: idParamsSchema, response: helmSyncJobResponseSchema,
    handler: async ({ deps, auth, params }) => withLastTask(deps.db, auth.organizationId, await withBlockedReason(withJobBlockedReasons, deps, auth.organizationId, presentHelmSyncJob(await jobOr404(deps.db, auth.organizationId, helmSyncJobs, params.id)))),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/helm-sync-jobs/:id', tag, access: 'write',
    summary: 'Update a helm sync job; a new repository, filter, credential or gather schedule runs it at once',
    params: idParamsSchema, body: helmSyncJobUpdateSchema, response: helmSyncJobResponseSchema,
    handler: async ({ deps, auth, params, body }) => presentHelmSyncJob(await editJob(deps, auth.organizationId, helmSyncJobs, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/helm-sync-jobs/:id', tag, access: 'write',
    summary: 'Delete a helm sync job; the gather jobs it made stay as ordinary gather jobs', params: idParamsSchema,
    handler: ({ deps, auth, params }) => removeJob(deps, auth.organizationId, helmSyncJobs, params.id),
  }),
  runNowRoute(helmSyncJobs, {
    path: '/api/v1/helm-sync-jobs/:id/run', tag,
    summary: 'Run a helm sync job now: 202 with the new pending task, or 200 with the task already open (409 when disabled)',
  }),
];
