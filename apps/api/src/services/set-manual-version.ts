import { recordVersionSnapshot } from '@planekeeper/db';
import { conflict, isClusterParser, notFound } from '@planekeeper/domain';
import { sql } from 'kysely';
import { findScrapeJob, presentSnapshot } from '../db/scrape-jobs.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { reply, type Reply } from '../http/route.ts';
import { enqueueEvaluation } from './evaluations.ts';

/**
 * `PUT /scrape-jobs/:id/version`: records the deployed version of a manual job (201 with the new
 * snapshot; 200 with the latest one when the version is unchanged, which adds no history) and
 * asks for its alert configs to be evaluated, all in one transaction. Jobs that read their
 * version from git are refused (409): a hand-entered version would be overwritten by the next
 * scrape and make the history lie.
 */
export async function setManualVersion(deps: ApiDeps, organizationId: string, id: string, version: string): Promise<Reply> {
  return deps.db.transaction().execute(async (trx) => {
    const job = await findScrapeJob(trx, organizationId, id, { forUpdate: true });
    if (!job) throw notFound('scrape job', id);
    if (job.parser !== 'manual') {
      throw conflict(`scrape job ${id} reads its version from ${isClusterParser(job.parser) ? 'the cluster' : 'git'} with the ${job.parser} parser: only manual jobs take PUT /version (set "parser": "manual" first, or run it with POST /api/v1/scrape-jobs/${id}/run)`);
    }
    const recorded = await recordVersionSnapshot(trx, organizationId, { scrapeJobId: id, version, source: 'manual' });
    if (!recorded) throw notFound('scrape job', id);
    await trx.updateTable('scrape_jobs').set({ last_run_at: sql<Date>`now()` }).where('organization_id', '=', organizationId).where('id', '=', id).execute();
    await enqueueEvaluation(deps.boss, trx, { organizationId, reason: 'manual_version', target: { scrapeJobId: id } });
    deps.logger.info({ organizationId, scrapeJobId: id, snapshotId: recorded.snapshot.id, created: recorded.created, trimmed: recorded.trimmed }, 'manual version recorded');
    return reply(recorded.created ? 201 : 200, presentSnapshot(recorded.snapshot));
  });
}
