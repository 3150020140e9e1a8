import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { recordVersionSnapshot } from '@planekeeper/db';
import { makeOrganization } from '@planekeeper/db/testing';
import type { OrganizationId } from '@planekeeper/domain';
import { sql } from 'kysely';
import { addReleases, alertsOf, evaluationOf, makeScenario, startRulesEngine, type EngineUnderTest } from './helpers/rules-engine.ts';

// A kubernetes scrape of an image pinned by digest only records the digest; the rules-engine
// places it at the gathered tag with that digest (an OCI gather reads digests of its newest tags).

let engine: EngineUnderTest;
let org: OrganizationId;
beforeAll(async () => {
  engine = await startRulesEngine();
  org = (await makeOrganization(engine.db, 'Acme')).id;
});
afterAll(() => engine.stop());

const digest = `sha256:${'a'.repeat(64)}`;
const newer = `sha256:${'b'.repeat(64)}`;
const minors = { type: 'minors_behind', moderate: 1, high: 2, critical: 3 } as const;

async function deployDigest(scrapeJobId: string, value: string) {
  await recordVersionSnapshot(engine.db, org, { scrapeJobId, version: value, imageDigest: value, source: 'agent' });
  await engine.send({ organizationId: org, reason: 'scrape_completed', target: { scrapeJobId } });
  await engine.idle();
}

describe('an image deployed by digest', () => {
  it('is evaluated as the tag whose digest it is, and is unknown, saying why, when no tag has it', async () => {
    const { gatherJob, scrapeJob, config } = await makeScenario(engine.db, org, minors);
    await addReleases(engine.db, org, gatherJob.id, ['1.25.3', '1.26.0', '1.27.0']);
    await deployDigest(scrapeJob.id, digest);
    expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'unknown', reason: expect.stringContaining(`pinned by digest ${digest} without a tag`) });
    expect(await alertsOf(engine.db, config.id)).toHaveLength(0);

    await sql`UPDATE releases SET digest = ${digest} WHERE gather_job_id = ${gatherJob.id} AND tag = '1.25.3'`.execute(engine.db);
    await sql`UPDATE releases SET digest = ${newer} WHERE gather_job_id = ${gatherJob.id} AND tag = '1.27.0'`.execute(engine.db);
    await engine.send({ organizationId: org, reason: 'gather_completed', target: { gatherJobId: gatherJob.id } });
    await engine.idle();
    expect(await evaluationOf(engine.db, config.id)).toMatchObject({ status: 'ok', deployed_version: '1.25.3', latest_version: '1.27.0', behind_by: 2, reason: `deployed image ${digest} is tag 1.25.3` });
    expect((await alertsOf(engine.db, config.id))[0]).toMatchObject({ status: 'open', deployed_version: '1.25.3' });

    // The rollout pins the newer image's digest: the alert resolves.
    await deployDigest(scrapeJob.id, newer);
    expect((await alertsOf(engine.db, config.id))[0]).toMatchObject({ status: 'resolved' });
  });
});
