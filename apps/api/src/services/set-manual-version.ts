import { recordVersionSnapshot, type VersionSnapshotRow } from '@planekeeper/db';
import { conflict, isClusterParser, notFound, type OrganizationId } from '@planekeeper/domain';
import { markScrapeJobRun } from '../db/scrape-jobs.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { enqueueEvaluation } from './evaluations.ts';
import { scrapeJobs } from './job-kinds.ts';
import { jobOr404 } from './jobs.ts';

/**
 * `PUT /scrape-jobs/:id/version`: records the deployed version of a manual job (a new snapshot,
 * `created`; the latest one when the version is unchanged, which adds no history) and
 * asks for its alert configs to be evaluated, all in one transaction. Jobs that read their
 * version from git or the cluster are refused (409): a hand-entered version would be overwritten
 * by the next scrape and make the history lie.
 */
export async function setManualVersion(deps: ApiDeps, organizationId: OrganizationId, id: string, version: string): Promise<{ snapshot: VersionSnapshotRow; created: boolean }> {
  return deps.db.transaction().execute(async (trx) => {
    const job = await jobOr404(trx, organizationId, scrapeJobs, id, { forUpdate: true });
    if (job.parser !== 'manual') {
      throw conflict(`scrape job ${id} reads its version from ${isClusterParser(job.parser) ? 'the cluster' : 'git'} with the ${job.parser} parser: only manual jobs take PUT /version (set "parser": "manual" first, or run it with POST /api/v1/scrape-jobs/${id}/run)`);
    }
    const recorded = await recordVersionSnapshot(trx, organizationId, { scrapeJobId: id, version, source: 'manual' });
    if (!recorded) throw notFound('scrape job', id);
    await markScrapeJobRun(trx, organizationId, id);
    await enqueueEvaluation(deps.boss, trx, { organizationId, reason: 'manual_version', target: { scrapeJobId: id } });
    deps.logger.info({ organizationId, scrapeJobId: id, snapshotId: recorded.snapshot.id, created: recorded.created, trimmed: recorded.trimmed }, 'manual version recorded');
    return { snapshot: recorded.snapshot, created: recorded.created };
  });
}
