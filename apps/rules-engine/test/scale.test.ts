import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob, makeOrganization, makeRule } from '@planekeeper/db/testing';
import { sql } from 'kysely';
import { addReleases, minorsUpTo, startRulesEngine, stateOf, type EngineUnderTest } from './helpers/rules-engine.ts';

const CONFIGS = 2000;

let engine: EngineUnderTest;

beforeAll(async () => {
  // Batches of 300: the 2,000 configs of one gather job take seven transactions.
  engine = await startRulesEngine({ RULES_ENGINE_BATCH_SIZE: '300', LOG_LEVEL: 'info' });
});
afterAll(() => engine.stop());

/** Counts of a column's values among the organization's rows of a table. */
async function countBy(table: 'alerts' | 'alert_events' | 'evaluations', column: string, org: string, where = sql`true`) {
  const { rows } = await sql<{ value: string | null; count: number }>`
    SELECT ${sql.ref(column)}::text AS value, count(*)::int AS count FROM ${sql.table(table)}
     WHERE organization_id = ${org} AND ${where} GROUP BY 1 ORDER BY 1`.execute(engine.db);
  return Object.fromEntries(rows.map((row) => [row.value ?? 'null', row.count]));
}

describe('evaluating every config of a gather job', () => {
  it(`evaluates ${CONFIGS} configs in batches and writes each alert change once`, async () => {
    const org = (await makeOrganization(engine.db, 'Big')).id;
    const gatherJob = await makeGatherJob(engine.db, org);
    const rule = await makeRule(engine.db, org, { type: 'minors_behind', moderate: 2, high: 4, critical: 6 });
    await addReleases(engine.db, org, gatherJob.id, [...minorsUpTo(8), 'v2.0.0-rc.1']);
    // Config i runs 1.(i % 9), except every 50th, which runs a version never released, and every
    // 40th whose scrape has not reported yet.
    await sql`
      WITH jobs AS (
        INSERT INTO scrape_jobs (organization_id, name, parser)
        SELECT ${org}::uuid, 'deployed ' || g, 'manual' FROM generate_series(1, ${CONFIGS}) g
        RETURNING id, substring(name from 10)::int AS n
      ), snapshots AS (
        INSERT INTO version_snapshots (organization_id, scrape_job_id, version, source, found_at)
        SELECT ${org}::uuid, id, CASE WHEN n % 50 = 0 THEN '7.7.7' ELSE '1.' || (n % 9) END, 'agent', now() - interval '1 hour'
          FROM jobs WHERE n % 40 <> 0
      )
      INSERT INTO alert_configs (organization_id, name, gather_job_id, scrape_job_id, rule_id)
      SELECT ${org}::uuid, 'config ' || n, ${gatherJob.id}::uuid, id, ${rule.id}::uuid FROM jobs`.execute(engine.db);

    const started = performance.now();
    await engine.send({ organizationId: org, reason: 'gather_completed', target: { gatherJobId: gatherJob.id } });
    await engine.idle(60_000);
    process.stdout.write(`evaluated ${CONFIGS} configs in ${Math.round(performance.now() - started)} ms (including queue latency)\n`);

    // Expected from the version each config runs (n % 9 = k is 8 - k minors behind v1.8.0).
    const expected = { critical: 0, high: 0, moderate: 0, ok: 0, unknownVersion: 0, noSnapshot: 0 };
    for (let n = 1; n <= CONFIGS; n++) {
      if (n % 40 === 0) expected.noSnapshot++;
      else if (n % 50 === 0) expected.unknownVersion++;
      else {
        const behind = 8 - (n % 9);
        if (behind >= 6) expected.critical++;
        else if (behind >= 4) expected.high++;
        else if (behind >= 2) expected.moderate++;
        expected.ok++;
      }
    }
    expect(await countBy('evaluations', 'status', org)).toEqual({ ok: expected.ok, unknown: expected.unknownVersion + expected.noSnapshot });
    expect(await countBy('evaluations', 'reason', org, sql`status = 'unknown'`)).toEqual({
      'deployed version 7.7.7 is not among the 10 gathered releases of variant "", and is newer than all of them': expected.unknownVersion,
      'no deployed version yet': expected.noSnapshot,
    });
    expect(await countBy('alerts', 'severity', org)).toEqual({ critical: expected.critical, high: expected.high, moderate: expected.moderate });
    expect(await countBy('alert_events', 'type', org)).toEqual({ created: expected.critical + expected.high + expected.moderate });
    // Each row has its own answer's explanation (a batch sends each distinct one once).
    const { rows: explained } = await sql<{ status: string; right: boolean; count: number }>`
      SELECT status, CASE WHEN status = 'ok' THEN details->'explanation'->'deployed'->>'tag' = 'v' || deployed_version || '.0'
                          ELSE details->'explanation'->'deployed' = 'null' AND details->'explanation'->>'stableOnly' = 'true' END AS right,
             count(*)::int AS count
        FROM evaluations WHERE organization_id = ${org} GROUP BY 1, 2 ORDER BY 1, 2`.execute(engine.db);
    expect(explained).toEqual([{ status: 'ok', right: true, count: expected.ok }, { status: 'unknown', right: true, count: expected.unknownVersion + expected.noSnapshot }]);
    const state = await stateOf(engine.db, org);
    expect(state.jobs).toEqual(state.events.map((e) => e.id).sort());
    const batches = engine.logs.filter((line) => line.includes('evaluated alert configs'));
    expect(batches.at(-1)).toContain(`"configs":${CONFIGS}`);

    // Nothing changed upstream: a second run writes no event.
    await engine.send({ organizationId: org, reason: 'scheduled', target: { gatherJobId: gatherJob.id } });
    await engine.idle(60_000);
    expect(await stateOf(engine.db, org)).toEqual(state);

    // A new minor: every violating config falls one further behind; those crossing a threshold escalate.
    await addReleases(engine.db, org, gatherJob.id, ['v1.9.0']);
    await engine.send({ organizationId: org, reason: 'gather_completed', target: { gatherJobId: gatherJob.id } });
    await engine.idle(60_000);
    const crossing = { high: 0, critical: 0, created: 0 };
    for (let n = 1; n <= CONFIGS; n++) {
      if (n % 40 === 0 || n % 50 === 0) continue;
      const behind = 8 - (n % 9);
      if (behind === 5) crossing.critical++;
      else if (behind === 3) crossing.high++;
      else if (behind === 1) crossing.created++;
    }
    expect(await countBy('alert_events', 'type', org, sql`id <> ALL(${state.events.map((e) => e.id)}::uuid[])`)).toEqual({
      created: crossing.created,
      escalated: crossing.high + crossing.critical,
    });
    expect(await countBy('alerts', 'status', org)).toEqual({ open: expected.critical + expected.high + expected.moderate + crossing.created });
  });
});
