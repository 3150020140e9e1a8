import {
  idParamsSchema,
  listEnvelopeSchema,
  scrapeJobCreateSchema,
  scrapeJobListQuerySchema,
  scrapeJobResponseSchema,
  scrapeJobUpdateSchema,
  scrapeJobVersionSchema,
  versionSnapshotListQuerySchema,
  versionSnapshotResponseSchema,
} from '@planekeeper/domain';
import { listScrapeJobs, listSnapshots } from '../../db/scrape-jobs.queries.ts';
import { scrapeJobs } from '../../services/job-kinds.ts';
import { createJob, editJob, jobOr404, removeJob } from '../../services/jobs.ts';
import { setManualVersion } from '../../services/set-manual-version.ts';
import { withBlockedReason, withJobBlockedReasons } from '../../services/blocked-work.ts';
import { listPage } from '../pagination.ts';
import { withLastTask, withLastTasks } from '../present/last-task.ts';
import { presentScrapeJob, presentSnapshot } from '../present/jobs.ts';
import { defineRoute, reply, type RouteDefinition } from '../route.ts';
import { runNowRoute } from './run-now.ts';

const tag = 'scrape-jobs';

export const scrapeJobsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/scrape-jobs', tag, access: 'read', summary: 'List scrape jobs, newest first (filters: parser, enabled)',
    query: scrapeJobListQuerySchema, response: listEnvelopeSchema(scrapeJobResponseSchema),
    handler: async ({ deps, auth, query }) => {
      const page = await listPage(query, (p) => listScrapeJobs(deps.db, auth.organizationId, query, p), presentScrapeJob);
      return withLastTasks(deps.db, auth.organizationId, { ...page, items: await withJobBlockedReasons(deps, auth.organizationId, page.items) });
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/scrape-jobs', tag, access: 'write',
    summary: 'Create a scrape job; an enabled job that reads git runs at once, a manual one waits for PUT /version',
    body: scrapeJobCreateSchema, response: scrapeJobResponseSchema,
    handler: async ({ deps, auth, body }) => presentScrapeJob(await createJob(deps, auth.organizationId, scrapeJobs, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/scrape-jobs/:id', tag, access: 'read', summary: 'Get a scrape job',
    params: idParamsSchema, response: scrapeJobResponseSchema,
    handler: async ({ deps, auth, params }) => withLastTask(deps.db, auth.organizationId, await withBlockedReason(withJobBlockedReasons, deps, auth.organizationId, presentScrapeJob(await jobOr404(deps.db, auth.organizationId, scrapeJobs, params.id)))),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/scrape-jobs/:id', tag, access: 'write',
    summary: 'Update a scrape job (checked merged with the stored job); changing what it reads or re-enabling it runs it at once',
    params: idParamsSchema, body: scrapeJobUpdateSchema, response: scrapeJobResponseSchema,
    handler: async ({ deps, auth, params, body }) => presentScrapeJob(await editJob(deps, auth.organizationId, scrapeJobs, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/scrape-jobs/:id', tag, access: 'write',
    summary: 'Delete a scrape job with its snapshots and tasks (409 while an alert config uses it)', params: idParamsSchema,
    handler: ({ deps, auth, params }) => removeJob(deps, auth.organizationId, scrapeJobs, params.id),
  }),
  runNowRoute(scrapeJobs, {
    path: '/api/v1/scrape-jobs/:id/run', tag,
    summary: 'Run a scrape job now: 202 with the new pending task, or 200 with the task already open (409 for manual or disabled jobs)',
  }),
  defineRoute({
    method: 'put', path: '/api/v1/scrape-jobs/:id/version', tag, access: 'write',
    summary: 'Set the deployed version of a manual scrape job: 201 with the new snapshot, 200 when unchanged; evaluates its alert configs (409 for jobs that read git)',
    params: idParamsSchema, body: scrapeJobVersionSchema, response: versionSnapshotResponseSchema, status: 201,
    handler: async ({ deps, auth, params, body }) => {
      const { snapshot, created } = await setManualVersion(deps, auth.organizationId, params.id, body.version);
      return reply(created ? 201 : 200, presentSnapshot(snapshot));
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/scrape-jobs/:id/snapshots', tag, access: 'read',
    summary: 'List the deployed versions a scrape job recorded, newest first (the first is the deployed version); one entry per change',
    params: idParamsSchema, query: versionSnapshotListQuerySchema, response: listEnvelopeSchema(versionSnapshotResponseSchema),
    handler: async ({ deps, auth, params, query }) => {
      await jobOr404(deps.db, auth.organizationId, scrapeJobs, params.id);
      return listPage(query, (page) => listSnapshots(deps.db, auth.organizationId, params.id, page), presentSnapshot);
    },
  }),
];
