import {
  gatherJobCreateSchema,
  gatherJobListQuerySchema,
  gatherJobResponseSchema,
  gatherJobUpdateSchema,
  idParamsSchema,
  listEnvelopeSchema,
  releaseListQuerySchema,
  releaseResponseSchema,
} from '@planekeeper/domain';
import { listGatherJobs, listReleases } from '../../db/gather-jobs.queries.ts';
import { gatherJobs } from '../../services/job-kinds.ts';
import { createJob, editJob, jobOr404, removeJob } from '../../services/jobs.ts';
import { withBlockedReason, withJobBlockedReasons } from '../../services/blocked-work.ts';
import { listPage } from '../pagination.ts';
import { withLastTask, withLastTasks } from '../present/last-task.ts';
import { presentGatherJob, presentRelease } from '../present/jobs.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';
import { runNowRoute } from './run-now.ts';

const tag = 'gather-jobs';

export const gatherJobsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/gather-jobs', tag, access: 'read', summary: 'List gather jobs, newest first (filters: sourceType, enabled, helmSyncJobId)',
    query: gatherJobListQuerySchema, response: listEnvelopeSchema(gatherJobResponseSchema),
    handler: async ({ deps, auth, query }) => {
      const page = await listPage(query, (p) => listGatherJobs(deps.db, auth.organizationId, query, p), presentGatherJob);
      return withLastTasks(deps.db, auth.organizationId, { ...page, items: await withJobBlockedReasons(deps, auth.organizationId, page.items) });
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/gather-jobs', tag, access: 'write',
    summary: 'Create a gather job; an enabled job runs at once, then on its schedule',
    body: gatherJobCreateSchema, response: gatherJobResponseSchema,
    handler: async ({ deps, auth, body }) => presentGatherJob(await createJob(deps, auth.organizationId, gatherJobs, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/gather-jobs/:id', tag, access: 'read', summary: 'Get a gather job',
    params: idParamsSchema, response: gatherJobResponseSchema,
    handler: async ({ deps, auth, params }) => withLastTask(deps.db, auth.organizationId, await withBlockedReason(withJobBlockedReasons, deps, auth.organizationId, presentGatherJob(await jobOr404(deps.db, auth.organizationId, gatherJobs, params.id)))),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/gather-jobs/:id', tag, access: 'write',
    summary: 'Update a gather job; re-enabling it or changing what it gathers runs it at once, a new schedule counts from now',
    params: idParamsSchema, body: gatherJobUpdateSchema, response: gatherJobResponseSchema,
    handler: async ({ deps, auth, params, body }) => presentGatherJob(await editJob(deps, auth.organizationId, gatherJobs, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/gather-jobs/:id', tag, access: 'write',
    summary: 'Delete a gather job with its releases and tasks (409 while an alert config uses it)', params: idParamsSchema,
    handler: ({ deps, auth, params }) => removeJob(deps, auth.organizationId, gatherJobs, params.id),
  }),
  runNowRoute(gatherJobs, {
    path: '/api/v1/gather-jobs/:id/run', tag,
    summary: 'Run a gather job now: 202 with the new pending task, or 200 with the task already open for it (409 when disabled)',
  }),
  defineRoute({
    method: 'get', path: '/api/v1/gather-jobs/:id/releases', tag, access: 'read',
    summary: 'List the releases a gather job found, newest first by publish date (by first gathered when the source gives no date)',
    params: idParamsSchema, query: releaseListQuerySchema, response: listEnvelopeSchema(releaseResponseSchema),
    handler: async ({ deps, auth, params, query }) => {
      await jobOr404(deps.db, auth.organizationId, gatherJobs, params.id);
      return listPage(query, (page) => listReleases(deps.db, auth.organizationId, params.id, query, page), presentRelease);
    },
  }),
];
