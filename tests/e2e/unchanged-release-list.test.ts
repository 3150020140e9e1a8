/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { createProtocolAgent, gatherResult, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually, logLines, startStack, type Stack } from '../support/stack.ts';

// Issue 17 point 3 through real processes: a gather job's release list reported again unchanged
// is recognised by its digest (the api stores no list, the taskengine writes no release) and is
// still evaluated; a list that changed, even in one date, is ingested; a new source forgets the
// digest, so the same list is then upserted whole.

let stack: Stack;
let agent: ProtocolAgent;
let gatherJobId: string;
let alertConfigId: string;

const TAGS = Array.from({ length: 200 }, (_, i) => `v${1 + Math.floor(i / 50)}.${i % 50}.0`);
const list = gatherResult(TAGS).releases;

async function created(route: string, body: unknown): Promise<string> {
  const answer = await stack.call('POST', route, body);
  if (answer.status !== 201) throw new Error(`POST ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
}

beforeAll(async () => {
  stack = await startStack();
  const key = await stack.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' });
  agent = createProtocolAgent({ apiUrl: stack.api().url, key: key.body.key, name: 'simulated', capabilities: ['gather'] });
  const ruleId = await created('/api/v1/rules', { name: 'majors', type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true });
  const scrapeJobId = await created('/api/v1/scrape-jobs', { name: 'deployed', parser: 'manual' });
  expect((await stack.call('PUT', `/api/v1/scrape-jobs/${scrapeJobId}/version`, { version: '2.0.0' })).status).toBe(201);
  gatherJobId = await created('/api/v1/gather-jobs', { name: 'widget', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget' }, schedule: '0 0 1 1 *' });
  alertConfigId = await created('/api/v1/alert-configs', { name: 'widget lag', gatherJobId, scrapeJobId, ruleId });
}, 90_000);

afterAll(() => stack?.stop());

const evaluatedAt = async (): Promise<string | undefined> => (await stack.call('GET', `/api/v1/evaluations?alertConfigId=${alertConfigId}`)).body.items[0]?.evaluatedAt;

/**
 * The job's next task (made at creation, then by "run now") claimed and reported with `result`,
 * waited for until ingested and evaluated; answers what was stored and the release rows written.
 */
async function gather(result: object, runNow = true) {
  if (runNow) expect((await stack.call('POST', `/api/v1/gather-jobs/${gatherJobId}/run`)).status).toBe(202);
  const task = (await eventually('the task claimed', async () => (await agent.claim(1, 5))[0]))!;
  // xmin is the 32-bit transaction id; txid_current() adds the epoch above it.
  const { rows } = await sql<{ txid: string }>`SELECT (txid_current() % 4294967296)::text AS txid`.execute(stack.db);
  expect((await agent.result(task.id, task.leaseToken, result)).status).toBe(202);
  const ingestedAt = (await eventually('the result ingested', async () => (await stack.db.selectFrom('tasks').select('ingested_at').where('id', '=', task.id).executeTakeFirst())?.ingested_at ?? undefined))!;
  // The evaluation this ingestion asked for: made after it, not one asked for earlier.
  await eventually('the config evaluated again', async () => {
    const at = await evaluatedAt();
    return at && Date.parse(at) >= ingestedAt.getTime() ? at : undefined;
  });
  const stored = await stack.db.selectFrom('tasks').select('result').where('id', '=', task.id).executeTakeFirstOrThrow();
  const written = await sql<{ n: string }>`SELECT count(*) AS n FROM releases WHERE gather_job_id = ${gatherJobId} AND xmin::text::bigint >= ${rows[0]!.txid}::bigint`.execute(stack.db);
  // The log line comes through stdout, after the row commits.
  const ingested = await eventually('the ingestion logged', async () => logLines(stack.logs, 'taskengine', 'task result ingested').find((line) => line.taskId === task.id));
  return { stored: stored.result as any, written: Number(written.rows[0]!.n), ingested };
}

describe('a release list reported again', () => {
  it('is ingested whole the first time', async () => {
    const first = await gather({ releases: list, etag: 'W/"1"' }, false);
    expect(first.written).toBe(200);
    expect(first.stored.releases).toHaveLength(200);
  });

  it('unchanged: no list stored, no release written, the new ETag kept, evaluated', async () => {
    const again = await gather({ releases: list, etag: 'W/"2"' });
    expect(again.stored).toEqual({ unchanged: true, releaseCount: 200, releasesDigest: expect.stringMatching(/^[0-9a-f]{64}$/), etag: 'W/"2"' });
    expect(again.written).toBe(0);
    expect(again.ingested).toMatchObject({ outcome: 'ingested', unchanged: true, releases: 200, evaluated: true });
    expect((await stack.db.selectFrom('gather_jobs').select('etag').where('id', '=', gatherJobId).executeTakeFirstOrThrow()).etag).toBe('W/"2"');
  });

  it('with one date corrected: ingested, that one release rewritten; then unchanged again', async () => {
    const corrected = list.map((r, i) => (i === 120 ? { ...r, publishedAt: new Date(Date.parse(r.publishedAt) + 3_600_000).toISOString() } : r));
    const changed = await gather({ releases: corrected });
    expect(changed.stored).toEqual({ releases: corrected });
    expect(changed.written).toBe(1);
    const release = (await stack.call('GET', `/api/v1/gather-jobs/${gatherJobId}/releases?limit=500`)).body.items.find((r: any) => r.tag === TAGS[120]);
    expect(release.publishedAt).toBe(corrected[120]!.publishedAt);
    const again = await gather({ releases: corrected });
    expect(again.stored.unchanged).toBe(true);
    expect(again.written).toBe(0);
  });

  it('after a new source: the same list is upserted whole', async () => {
    expect((await stack.call('PATCH', `/api/v1/gather-jobs/${gatherJobId}`, { source: { owner: 'acme', repo: 'widget-next' } })).status).toBe(200);
    // The new source runs at once: its task is already pending.
    const fresh = await gather({ releases: list }, false);
    expect(fresh.stored).toEqual({ releases: list });
    expect(fresh.written).toBe(200);
    expect(fresh.ingested).toMatchObject({ releases: 200, added: 200 });
  });
});
