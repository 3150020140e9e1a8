import { sendJobs, type Database } from '@planekeeper/db';
import { evaluateQueue, VERSION_GRAMMAR_REVISION, type EvaluatePayload } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { gatherJobsWithConfigs, lockGrammarRevision, recordGrammarRevision } from '../db/version-grammar.queries.ts';

/** What following the grammar needs. */
export interface GrammarDeps {
  db: Kysely<Database>;
  boss: PgBoss;
  logger: Logger;
}

/** What a start did: null when the stored evaluations already followed this code's grammar. */
export type GrammarRevision = { from: number; to: number; organizations: number; gatherJobs: number } | null;

/**
 * Makes stored evaluations and open alerts follow the version grammar of this code (a start step
 * of the rules-engine). When the database records an older revision, it enqueues `evaluate` for
 * every gather job that alert configs reference, so every config of every organization is
 * evaluated again with the alert lifecycle and its events, as after a rule change, and records
 * the new revision in the same transaction: a process that dies half-way leaves the old revision,
 * and the next start does it all. Replicas starting together wait on the revision's row lock;
 * the first does the work, the others find it done. A newer revision recorded by a newer
 * replica is never lowered.
 *
 * One job per gather job, as the taskengine sends after a gather: the consumer reads each gather
 * job's releases into one catalog for all its configs, and jobs go in batches of a few hundred.
 */
export async function followVersionGrammar(deps: GrammarDeps, revision = VERSION_GRAMMAR_REVISION): Promise<GrammarRevision> {
  const outcome = await deps.db.transaction().execute(async (trx): Promise<GrammarRevision> => {
    const stored = await lockGrammarRevision(trx);
    if (stored >= revision) return null;
    const targets = await gatherJobsWithConfigs(trx);
    const payloads = targets.map(({ organizationId, gatherJobId }): EvaluatePayload => ({ organizationId, reason: 'version_grammar_revised', target: { gatherJobId } }));
    await sendJobs(deps.boss, trx, evaluateQueue, payloads);
    await recordGrammarRevision(trx, revision);
    return { from: stored, to: revision, organizations: new Set(targets.map((t) => t.organizationId)).size, gatherJobs: targets.length };
  });
  if (outcome === null) deps.logger.debug({ revision }, 'stored evaluations follow the current version grammar');
  else deps.logger.info(outcome, 'version grammar revised: every alert config is evaluated again');
  return outcome;
}
