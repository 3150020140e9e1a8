import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { startFaultReceiver, type FaultReceiver } from '../support/fault-receiver.ts';
import { createProtocolAgent, gatherResult, type ClaimedTask, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually, logLines, startStack, type Stack } from '../support/stack.ts';
import { count, manualScrapeJob, minorsRule, webhookChannel } from './scenario.ts';

// Two processes of every service (api, taskengine, rules-engine, notifier) on one Postgres, as
// DESIGN.md promises they may run: each due job scheduled once, each task claimed once (agents on
// both api replicas at once), each result ingested once, each alert opened once with one event,
// each event delivered once; and an orphaned task recovered once, whichever taskengine looks.

const JOBS = 24;
const ORPHANS = 8;

let stack: Stack;
let receiver: FaultReceiver;
let agentKey: string;

beforeAll(async () => {
  receiver = await startFaultReceiver();
  stack = await startStack({
    replicas: 2,
    env: { LOG_LEVEL: 'info' },
    envFor: { api: { AGENT_LEASE_SECONDS: '5' }, taskengine: { TASKENGINE_ORPHAN_CHECK_SECONDS: '0.3' } },
  });
  const key = await stack.call('POST', '/api/v1/api-keys', { name: 'replica agents', role: 'agent' });
  expect(key.status).toBe(201);
  agentKey = key.body.key;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

/** `n` gather jobs due now (the schedulers of both taskengines see them at once). */
async function dueGatherJobs(prefix: string, n: number): Promise<string[]> {
  const organizationId = await stack.organizationId();
  const rows = await stack.db.insertInto('gather_jobs').values(Array.from({ length: n }, (_, i) => ({
    organization_id: organizationId, name: `${prefix} ${i}`, source_type: 'github_release' as const,
    source: JSON.stringify({ owner: 'acme', repo: `${prefix}-${i}` }), schedule: '0 0 1 1 *', next_run_at: sql<Date>`now()`,
  }))).returning('id').execute();
  return rows.map((row) => row.id);
}

/** Agents on both api replicas claiming at once until they hold `n` tasks of `jobIds` between them. */
async function claimOnBothReplicas(agents: ProtocolAgent[], jobIds: string[], n: number): Promise<ClaimedTask[][]> {
  const held: ClaimedTask[][] = agents.map(() => []);
  await eventually(`${n} tasks claimed`, async () => {
    const rounds = await Promise.all(agents.map((agent) => agent.claim(5, 1)));
    rounds.forEach((tasks, i) => held[i]!.push(...tasks.filter((t) => jobIds.includes(t.jobId))));
    return held.flat().length >= n ? true : undefined;
  }, 30_000);
  return held;
}

describe('two replicas of every service on one Postgres', () => {
  it('schedule, claim, ingest, evaluate and deliver each thing once, and lose nothing', async () => {
    expect([...stack.apps.keys()].sort()).toEqual(['api', 'api#2', 'notifier', 'notifier#2', 'rules-engine', 'rules-engine#2', 'taskengine', 'taskengine#2']);
    await webhookChannel(stack, 'replicas webhook', receiver.url);
    const ruleId = await minorsRule(stack);
    const scrapeJobId = await manualScrapeJob(stack, 'replicas deployed', '1.0.0');
    const organizationId = await stack.organizationId();
    const jobIds = await dueGatherJobs('replicas', JOBS);
    const configs = await stack.db.insertInto('alert_configs')
      .values(jobIds.map((gatherJobId, i) => ({ organization_id: organizationId, name: `replicas config ${i}`, gather_job_id: gatherJobId, scrape_job_id: scrapeJobId, rule_id: ruleId })))
      .returning('id').execute();
    const configIds = configs.map((c) => c.id);

    // One agent on each api replica.
    const agents = [stack.apps.get('api')!, stack.apps.get('api#2')!].map((api, i) => createProtocolAgent({ apiUrl: api.url, key: agentKey, name: `replica-agent-${i + 1}`, capabilities: ['gather'], maxConcurrentTasks: 50 }));
    const held = await claimOnBothReplicas(agents, jobIds, JOBS);
    const claimed = held.flat();
    expect(new Set(claimed.map((t) => t.id)).size).toBe(claimed.length);
    expect(claimed).toHaveLength(JOBS);
    // Scheduled once: one task per due job, whichever scheduler took it.
    const tasksPerJob = await stack.db.selectFrom('tasks').select(['job_id', (eb) => eb.fn.countAll<string>().as('n')]).where('job_id', 'in', jobIds).groupBy('job_id').execute();
    expect(tasksPerJob.map((row) => Number(row.n))).toEqual(jobIds.map(() => 1));

    // Results through both replicas (each agent reports its own tasks): 3 minors behind, an alert each.
    await Promise.all(held.map((tasks, i) => Promise.all(tasks.map(async (task) => {
      expect((await agents[i]!.result(task.id, task.leaseToken, gatherResult(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0']))).status).toBe(202);
    }))));

    const events = await eventually(`an event of each of the ${JOBS} alerts`, async () => {
      const rows = await stack.db.selectFrom('alert_events').innerJoin('alerts', 'alerts.id', 'alert_events.alert_id')
        .select(['alert_events.id', 'alerts.alert_config_id', 'alert_events.type']).where('alerts.alert_config_id', 'in', configIds).execute();
      return new Set(rows.map((r) => r.alert_config_id)).size === JOBS ? rows : undefined;
    }, 60_000);
    await eventually('every event delivered', async () => (receiver.deliveredIds().size >= events.length ? true : undefined), 60_000);

    // Nothing twice: releases, alerts, events, deliveries, webhooks.
    expect(await count(stack, 'releases', (qb) => qb.where('gather_job_id', 'in', jobIds))).toBe(JOBS * 4);
    expect(await count(stack, 'alerts', (qb) => qb.where('alert_config_id', 'in', configIds))).toBe(JOBS);
    expect(events).toHaveLength(JOBS);
    expect(events.every((e) => e.type === 'created')).toBe(true);
    const deliveries = await stack.db.selectFrom('deliveries').select(['id', 'status', 'attempts']).where('alert_event_id', 'in', events.map((e) => e.id)).execute();
    expect(deliveries).toHaveLength(JOBS);
    await eventually('every delivery recorded succeeded', async () => {
      const rows = await stack.db.selectFrom('deliveries').select(['status', 'attempts']).where('alert_event_id', 'in', events.map((e) => e.id)).execute();
      return rows.every((d) => d.status === 'succeeded' && d.attempts === 1) ? true : undefined;
    });
    const webhookIds = receiver.arrivals.map((a) => a.webhookId);
    expect(new Set(webhookIds).size).toBe(webhookIds.length);
    expect(new Set(webhookIds)).toEqual(new Set(deliveries.map((d) => d.id)));
    // Every task ingested once.
    expect(await count(stack, 'tasks', (qb) => qb.where('job_id', 'in', jobIds).where('ingested_at', 'is not', null))).toBe(JOBS);
    const share = (service: string, msg: string) => [service, `${service}#2`].map((key) => logLines(stack.logs, key, msg).length).join('/');
    console.log(`[reliability] replicas: claims ${held.map((tasks) => tasks.length).join('/')} by api/api#2, deliveries ${share('notifier', 'delivered')} by notifier/notifier#2`);
  }, 180_000);

  it('recovers each orphaned task once, whichever taskengine finds it', async () => {
    const jobIds = await dueGatherJobs('orphans', ORPHANS);
    const dying = createProtocolAgent({ apiUrl: stack.apps.get('api#2')!.url, key: agentKey, name: 'dying-agent', capabilities: ['gather'], maxConcurrentTasks: 50 });
    const orphaned = (await claimOnBothReplicas([dying], jobIds, ORPHANS)).flat();
    expect(orphaned).toHaveLength(ORPHANS);
    // The agent says no more: its 5 s leases run out, and both taskengines check every 0.3 s.
    await eventually('every orphan back to pending', async () => {
      const rows = await stack.db.selectFrom('tasks').select(['status', 'attempts']).where('id', 'in', orphaned.map((t) => t.id)).execute();
      return rows.every((t) => t.status === 'pending') ? rows : undefined;
    }, 30_000);
    // Each recovery is logged by the taskengine that made it (the lines come through its stdout, a little after).
    const recoveredLines = () => ['taskengine', 'taskengine#2'].flatMap((key) => logLines(stack.logs, key, 'task recovered: back to pending'))
      .filter((line) => orphaned.some((t) => t.id === line.taskId)).map((line) => String(line.taskId)).sort();
    await eventually('a recovery logged for every orphan', async () => (recoveredLines().length >= ORPHANS ? true : undefined), 10_000);
    expect(recoveredLines()).toEqual(orphaned.map((t) => t.id).sort());
    console.log(`[reliability] replicas: orphans recovered ${['taskengine', 'taskengine#2'].map((key) => logLines(stack.logs, key, 'task recovered: back to pending').length).join('/')} by taskengine/taskengine#2`);
    // Still one task per job, and each is claimed again by a living agent exactly once more.
    const rescuer = createProtocolAgent({ apiUrl: stack.api().url, key: agentKey, name: 'rescuer', capabilities: ['gather'], maxConcurrentTasks: 50 });
    const again = (await claimOnBothReplicas([rescuer], jobIds, ORPHANS)).flat();
    expect(again.map((t) => t.id).sort()).toEqual(orphaned.map((t) => t.id).sort());
    const rows = await stack.db.selectFrom('tasks').select(['attempts']).where('job_id', 'in', jobIds).execute();
    expect(rows.map((t) => t.attempts)).toEqual(jobIds.map(() => 2));
    // And no second recovery of any of them came in late.
    expect(recoveredLines()).toEqual(orphaned.map((t) => t.id).sort());
  }, 90_000);
});
