import { assertRuleThresholds, notFound, type OrganizationId, type RuleUpdate } from '@planekeeper/domain';
import type { RuleRow } from '@planekeeper/db';
import { findRule, updateRule } from '../db/rules.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { enqueueEvaluation } from './evaluations.ts';

/**
 * Updates a rule (its thresholds checked merged with the stored ones) and asks for every alert
 * config that uses it to be evaluated again, in one transaction.
 */
export async function changeRule(deps: Pick<ApiDeps, 'db' | 'boss'>, organizationId: OrganizationId, id: string, body: RuleUpdate): Promise<RuleRow> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await findRule(trx, organizationId, id, { forUpdate: true });
    if (!current) throw notFound('rule', id);
    assertRuleThresholds({ type: body.type ?? current.type, moderate: body.moderate ?? current.moderate, high: body.high ?? current.high, critical: body.critical ?? current.critical });
    const updated = await updateRule(trx, organizationId, id, body);
    await enqueueEvaluation(deps.boss, trx, { organizationId, reason: 'rule_changed', target: { ruleId: id } });
    return updated;
  });
}
