import { sendJob, type Database } from '@planekeeper/db';
import { evaluateQueue, type EvaluatePayload } from '@planekeeper/domain';
import type { Kysely, Transaction } from 'kysely';
import type { PgBoss } from 'pg-boss';

/** Asks the rules-engine to evaluate a target, in the caller's transaction. */
export async function enqueueEvaluation(boss: PgBoss, trx: Transaction<Database> | Kysely<Database>, payload: EvaluatePayload): Promise<void> {
  await sendJob(boss, trx, evaluateQueue, payload);
}
