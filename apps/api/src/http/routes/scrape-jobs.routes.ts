import {
  conflict,
  idParamsSchema,
  listEnvelopeSchema,
  notFound,
  scrapeJobCreateSchema,
  scrapeJobListQuerySchema,
  scrapeJobResponseSchema,
  scrapeJobUpdateSchema,
  scrapeJobVersionSchema,
  taskResponseSchema,
  versionSnapshotListQuerySchema,
  versionSnapshotResponseSchema,
} from '@planekeeper/domain';
import { findScrapeJob, listScrapeJobs, listSnapshots } from '../../db/scrape-jobs.queries.ts';
import { createScrapeJob, editScrapeJob, removeScrapeJob } from '../../services/edit-scrape-job.ts';
import { runJobNow } from '../../services/run-job-now.ts';
import { setManualVersion } from '../../services/set-manual-version.ts';
import { listPage } from '../pagination.ts';
import { presentScrapeJob, presentSnapshot } from '../present/jobs.ts';
import { presentTask } from '../present/tasks.ts';
import { defineRoute, reply, type RouteDefinition } from '../route.ts';

const tag = 'scrape-jobs';

async function scrapeJobOr404(...args: Parameters<typeof findScrapeJob>) {
  const row = await findScrapeJob(...args);
  if (!row) throw notFound('scrape job', args[2]);
  return row;
}

export const scrapeJobsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/scrape-jobs', tag, access: 'read', summary: 'List scrape jobs, newest first (filters: parser, enabled)',
    query: scrapeJobListQuerySchema, response: listEnvelopeSchema(scrapeJobResponseSchema),
    handler: ({ deps, auth, query }) => listPage(query, (page) => listScrapeJobs(deps.db, auth.organizationId, query, page), presentScrapeJob),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/scrape-jobs', tag, access: 'write',
    summary: 'Create a scrape job; an enabled job that reads git runs at once, a manual one waits for PUT /version',
    body: scrapeJobCreateSchema, response: scrapeJobResponseSchema,
    handler: async ({ deps, auth, body }) => presentScrapeJob(await createScrapeJob(deps, auth.organizationId, body)),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/scrape-jobs/:id', tag, access: 'read', summary: 'Get a scrape job',
    params: idParamsSchema, response: scrapeJobResponseSchema,
    handler: async ({ deps, auth, params }) => presentScrapeJob(await scrapeJobOr404(deps.db, auth.organizationId, params.id)),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/scrape-jobs/:id', tag, access: 'write',
    summary: 'Update a scrape job (checked merged with the stored job); changing what it reads or re-enabling it runs it at once',
    params: idParamsSchema, body: scrapeJobUpdateSchema, response: scrapeJobResponseSchema,
    handler: async ({ deps, auth, params, body }) => presentScrapeJob(await editScrapeJob(deps, auth.organizationId, params.id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/scrape-jobs/:id', tag, access: 'write',
    summary: 'Delete a scrape job with its snapshots and tasks (409 while an alert config uses it)', params: idParamsSchema,
    handler: ({ deps, auth, params }) => removeScrapeJob(deps, auth.organizationId, params.id),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/scrape-jobs/:id/run', tag, access: 'write',
    summary: 'Run a scrape job now: 202 with the new pending task, or 200 with the task already open (409 for manual or disabled jobs)',
    params: idParamsSchema, response: taskResponseSchema, status: 202,
    handler: async ({ deps, auth, params }) => {
      const job = await scrapeJobOr404(deps.db, auth.organizationId, params.id);
      if (job.parser === 'manual') {
        throw conflict(`scrape job ${job.id} is manual: nothing runs for it; set its version with PUT /api/v1/scrape-jobs/${job.id}/version`);
      }
      const { task, created } = await runJobNow(deps, auth.organizationId, 'scrape', job);
      return reply(created ? 202 : 200, presentTask(task));
    },
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
      await scrapeJobOr404(deps.db, auth.organizationId, params.id);
      return listPage(query, (page) => listSnapshots(deps.db, auth.organizationId, params.id, page), presentSnapshot);
    },
  }),
];
