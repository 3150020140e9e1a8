import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeReleases } from '@planekeeper/db/testing';
import { sql } from 'kysely';
import { startFaultReceiver, type FaultReceiver } from '../support/fault-receiver.ts';
import { startFaultStack, type FaultStack } from '../support/fault-stack.ts';
import { gatherResult, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually } from '../support/stack.ts';
import { alertConfig, count, manualScrapeJob, minorsRule, protocolAgent, webhookChannel } from './scenario.ts';

// After an outage of a consumer, its queue holds a backlog; when it is back, the backlog must
// drain at the speed of the work, not at the pace of a poll interval. The services run with
// their default worker settings here (only the stack's usual short scheduler interval).

const BACKLOG = 100;
const DRAIN_DEADLINE_MS = 20_000;

let stack: FaultStack;
let receiver: FaultReceiver;
let agent: ProtocolAgent;

beforeAll(async () => {
  receiver = await startFaultReceiver();
  stack = await startFaultStack({ env: { LOG_LEVEL: 'info' } });
  agent = (await protocolAgent(stack, 'backlog-agent')).agent;
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

/** How many of `total` become true within the deadline (polled), and how long the last one took. */
async function drained(probe: () => Promise<number>, total: number): Promise<{ done: number; ms: number }> {
  const started = Date.now();
  let done = 0;
  while (Date.now() - started < DRAIN_DEADLINE_MS) {
    done = await probe();
    if (done >= total) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { done, ms: Date.now() - started };
}

describe('a backlog left by a consumer outage drains at the speed of the work', () => {
  it(`notifier: the events of ${BACKLOG} alerts opened while it was down are all delivered within ${DRAIN_DEADLINE_MS / 1000} s of its start`, async () => {
    await webhookChannel(stack, 'backlog webhook', receiver.url);
    const organizationId = await stack.organizationId();
    const ruleId = await minorsRule(stack);
    // Releases written directly (the taskengine is not part of this one).
    const gather = await stack.db.insertInto('gather_jobs').values({
      organization_id: organizationId, name: 'backlog widget', source_type: 'github_release', source: JSON.stringify({ owner: 'acme', repo: 'widget' }), schedule: '0 0 1 1 *',
    }).returning('id').executeTakeFirstOrThrow();
    await makeReleases(stack.db, organizationId, gather.id, gatherResult(['v1.0.0', 'v1.1.0', 'v1.2.0']).releases);
    const scrapeJobId = await manualScrapeJob(stack, 'backlog deployed', '1.0.0');
    const configs = await stack.db.insertInto('alert_configs')
      .values(Array.from({ length: BACKLOG }, (_, i) => ({ organization_id: organizationId, name: `backlog config ${i}`, gather_job_id: gather.id, scrape_job_id: scrapeJobId, rule_id: ruleId })))
      .returning('id').execute();
    const eventsOfTheseConfigs = () => stack.db.selectFrom('alert_events').innerJoin('alerts', 'alerts.id', 'alert_events.alert_id')
      .select('alert_events.id').where('alerts.alert_config_id', 'in', configs.map((c) => c.id)).execute();
    await stack.apps.get('notifier')!.stop();
    // Changing the rule re-evaluates every config that uses it: 100 alerts open at once.
    expect((await stack.call('PATCH', `/api/v1/rules/${ruleId}`, { high: 2 })).status).toBe(200);
    // Every config's alert open at high. The evaluation of the manual version set above may reach
    // the configs first (opening them at moderate, then escalated): one or two events each.
    const events = await eventually(`${BACKLOG} alerts open at high`, async () => {
      const high = await stack.db.selectFrom('alerts').select('id')
        .where('alert_config_id', 'in', configs.map((c) => c.id)).where('status', '=', 'open').where('severity', '=', 'high').execute();
      return high.length === BACKLOG ? eventsOfTheseConfigs() : undefined;
    }, 30_000);
    expect(events.length).toBeGreaterThanOrEqual(BACKLOG);

    await stack.start('notifier');
    const delivered = async () => {
      const received = receiver.deliveredIds();
      const rows = await stack.db.selectFrom('deliveries').select('id').where('alert_event_id', 'in', events.map((e) => e.id)).execute();
      return rows.filter((r) => received.has(r.id)).length;
    };
    const { done, ms } = await drained(delivered, events.length);
    console.log(`[reliability] notifier backlog: ${done}/${events.length} alert events delivered ${ms} ms after its start`);
    expect(done).toBe(events.length);
  }, 90_000);

  it(`taskengine: ${BACKLOG} results reported while it was down are all ingested within ${DRAIN_DEADLINE_MS / 1000} s of its start`, async () => {
    const organizationId = await stack.organizationId();
    const jobs = await stack.db.insertInto('gather_jobs').values(Array.from({ length: BACKLOG }, (_, i) => ({
      organization_id: organizationId, name: `backlog job ${i}`, source_type: 'github_release' as const,
      source: JSON.stringify({ owner: 'acme', repo: `backlog-${i}` }), schedule: '0 0 1 1 *', next_run_at: sql<Date>`now()`,
    }))).returning('id').execute();
    const jobIds = jobs.map((j) => j.id);
    await eventually(`${BACKLOG} pending tasks`, async () => ((await count(stack, 'tasks', (qb) => qb.where('job_id', 'in', jobIds))) === BACKLOG ? true : undefined), 20_000);
    await stack.apps.get('taskengine')!.stop();

    let reported = 0;
    while (reported < BACKLOG) {
      const tasks = await agent.claim(50, 1);
      for (const task of tasks) {
        expect((await agent.result(task.id, task.leaseToken, gatherResult(['v1.0.0', 'v1.1.0']))).status).toBe(202);
        reported++;
      }
    }
    await stack.start('taskengine');
    const ingested = () => count(stack, 'tasks', (qb) => qb.where('job_id', 'in', jobIds).where('ingested_at', 'is not', null));
    const { done, ms } = await drained(ingested, BACKLOG);
    const { rows: states } = await sql<{ state: string; n: string }>`
      SELECT state, count(*) AS n FROM pgboss.job WHERE name = 'task.completed' GROUP BY state ORDER BY state`.execute(stack.db);
    const failures = (stack.logs.get('taskengine') ?? []).filter((l) => /"level":"error"/.test(l)).length;
    console.log(`[reliability] taskengine backlog: ${done}/${BACKLOG} task results ingested ${ms} ms after its start; ` +
      `task.completed jobs by state: ${states.map((s) => `${s.state} ${s.n}`).join(', ')}; error log lines: ${failures}`);
    expect(done).toBe(BACKLOG);
  }, 90_000);

  it(`rules-engine: ${BACKLOG} evaluations asked for while it was down are all done within ${DRAIN_DEADLINE_MS / 1000} s of its start`, async () => {
    const organizationId = await stack.organizationId();
    const ruleId = await minorsRule(stack);
    const gather = await stack.db.insertInto('gather_jobs').values({
      organization_id: organizationId, name: 'backlog evaluations', source_type: 'github_release', source: JSON.stringify({ owner: 'acme', repo: 'evaluations' }), schedule: '0 0 1 1 *',
    }).returning('id').executeTakeFirstOrThrow();
    await makeReleases(stack.db, organizationId, gather.id, gatherResult(['v1.0.0', 'v1.1.0', 'v1.2.0']).releases);
    const scrapeJobId = await manualScrapeJob(stack, 'backlog evaluations deployed', '1.0.0');
    await stack.apps.get('rules-engine')!.stop();
    // Each config created through the API asks for its own evaluation at once: one queued job each.
    const configIds: string[] = [];
    for (let i = 0; i < BACKLOG; i++) configIds.push(await alertConfig(stack, `evaluation backlog ${i}`, gather.id, scrapeJobId, ruleId));

    await stack.start('rules-engine');
    const evaluated = () => count(stack, 'alerts', (qb) => qb.where('alert_config_id', 'in', configIds));
    const { done, ms } = await drained(evaluated, BACKLOG);
    console.log(`[reliability] rules-engine backlog: ${done}/${BACKLOG} configs evaluated (alert opened) ${ms} ms after its start`);
    expect(done).toBe(BACKLOG);
  }, 90_000);

});
