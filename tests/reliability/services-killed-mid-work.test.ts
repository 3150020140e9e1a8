import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { startFaultReceiver, type FaultReceiver } from '../support/fault-receiver.ts';
import { gatherResult, type ProtocolAgent } from '../support/protocol-agent.ts';
import { startQueueSupervisor, type QueueSupervisor } from '../support/queue-supervisor.ts';
import { holdRowLocks, sessionsBlockedBy } from '../support/row-lock.ts';
import { eventually, startStack, type ServiceName, type Stack } from '../support/stack.ts';
import { verifyStandardWebhook } from '../support/webhook-receiver.ts';
import { alertConfig, count, gatherJobWithReleases, manualScrapeJob, minorsRule, protocolAgent, releasesIngested, webhookChannel } from './scenario.ts';

// The notifier, the rules-engine and the taskengine are each SIGKILLed in the middle of their
// work, then started again. Every alert event must still be notified (at least once, one
// webhook-id per delivery) and nothing may be recorded twice.
//
// How each is caught mid-work: the notifier while the receiver holds its request open; the
// rules-engine and the taskengine inside their transaction, parked on a row the test has locked
// (some evaluation batches already committed; half of a big release list already written,
// uncommitted). pg-boss would retry the dead process's job after the queue's expiry (2-5 min);
// the queue supervisor shortens that to 10 s (see tests/support/queue-supervisor.ts).

const QUEUES = ['task.completed', 'evaluate', 'alert.event', 'notification.deliver'];
const EXPIRY = { expireInSeconds: 10, retryDelay: 1 };
const BULK_CONFIGS = 200;
/** The rules-engine's batch size here: 20 batches of the bulk configs. */
const BATCH_SIZE = 10;
const BIG_RELEASES = 20_000;

let stack: Stack;
let receiver: FaultReceiver;
let queues: QueueSupervisor;
let agent: ProtocolAgent;
let ruleId: string;
let secret: string;
const measured: string[] = [];

async function restart(name: ServiceName): Promise<void> {
  await stack.start(name);
  // The service put the declared queue settings back at start: shorten them again for later jobs.
  await queues.shorten(QUEUES, EXPIRY);
}

/** Open alerts, their events and the deliveries of those events, for the configs given. */
async function outcome(configIds: string[]) {
  const alerts = await stack.db.selectFrom('alerts').select(['id', 'alert_config_id', 'status']).where('alert_config_id', 'in', configIds).execute();
  const alertIds = alerts.map((a) => a.id);
  const events = alertIds.length === 0 ? [] : await stack.db.selectFrom('alert_events').select(['id', 'alert_id', 'type']).where('alert_id', 'in', alertIds).execute();
  const eventIds = events.map((e) => e.id);
  const deliveries = eventIds.length === 0 ? [] : await stack.db.selectFrom('deliveries').select(['id', 'alert_event_id', 'status']).where('alert_event_id', 'in', eventIds).execute();
  return { alerts, events, deliveries };
}

/** Waits until every config has one open alert with one `created` event, delivered and received. */
async function everyConfigNotified(configIds: string[], timeoutMs: number) {
  return eventually(`${configIds.length} alerts created and delivered`, async () => {
    const now = await outcome(configIds);
    const received = receiver.deliveredIds();
    const done = now.alerts.length === configIds.length && now.deliveries.length === now.events.length && now.events.length >= configIds.length
      && now.deliveries.every((d) => d.status === 'succeeded' && received.has(d.id));
    return done ? now : undefined;
  }, timeoutMs);
}

function expectNoDuplicates(configIds: string[], now: Awaited<ReturnType<typeof outcome>>): void {
  expect(now.alerts).toHaveLength(configIds.length);
  expect(new Set(now.alerts.map((a) => a.alert_config_id)).size).toBe(configIds.length);
  expect(now.alerts.every((a) => a.status === 'open')).toBe(true);
  expect(now.events).toHaveLength(configIds.length);
  expect(now.events.every((e) => e.type === 'created')).toBe(true);
  expect(new Set(now.events.map((e) => e.alert_id)).size).toBe(configIds.length);
  expect(now.deliveries).toHaveLength(configIds.length);
}

function arrivalsOf(deliveryIds: string[]) {
  const wanted = new Set(deliveryIds);
  return receiver.arrivals.filter((a) => a.webhookId !== undefined && wanted.has(a.webhookId));
}

beforeAll(async () => {
  receiver = await startFaultReceiver();
  stack = await startStack({
    env: {
      RULES_ENGINE_BATCH_SIZE: String(BATCH_SIZE),
      API_BODY_LIMIT_BYTES: String(16 * 1024 * 1024),
      NOTIFIER_REQUEST_TIMEOUT_SECONDS: '30',
    },
  });
  queues = await startQueueSupervisor(stack.url);
  await queues.shorten(QUEUES, EXPIRY);
  secret = (await webhookChannel(stack, 'ops webhook', receiver.url)).secret;
  ruleId = await minorsRule(stack);
  agent = (await protocolAgent(stack, 'crash-test-agent')).agent;
}, 90_000);

afterAll(async () => {
  if (measured.length > 0) console.log(`[reliability] services killed mid-work:\n  ${measured.join('\n  ')}`);
  await queues?.stop();
  await stack?.stop();
  await receiver?.close();
});

describe('services killed with SIGKILL in the middle of their work', () => {
  it('the notifier, mid-delivery (the receiver holds the request): delivered after restart with the same webhook-id', async () => {
    receiver.mode = 'hold';
    const { jobId } = await gatherJobWithReleases(stack, agent, 'notifier-crash', ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0']);
    await releasesIngested(stack, jobId, 4);
    const configId = await alertConfig(stack, 'notifier crash', jobId, await manualScrapeJob(stack, 'notifier crash deployed', '1.0.0'), ruleId);

    const held = await eventually('the webhook request held open', async () => receiver.arrivals[0], 30_000);
    await stack.kill('notifier');
    const killedAt = Date.now();
    receiver.mode = 204;
    await restart('notifier');

    const now = await everyConfigNotified([configId], 45_000);
    const recoveredMs = Date.now() - killedAt;
    expectNoDuplicates([configId], now);
    expect(now.deliveries[0]!.id).toBe(held.webhookId);
    const arrivals = arrivalsOf([held.webhookId!]);
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(arrivals.every((a) => verifyStandardWebhook(secret, a.headers, a.body))).toBe(true);
    expect(new Set(arrivals.map((a) => JSON.stringify(a.json.data)))).toEqual(new Set([JSON.stringify(held.json.data)]));
    measured.push(`notifier: 1 SIGKILL with 1 request held open; delivered after restart in ${recoveredMs} ms; 1 event, 1 delivery, ${arrivals.length} arrivals with the one webhook-id`);
  }, 60_000);

  it('the rules-engine, mid-evaluation of a big batch: every config gets exactly one alert and one event, all notified', async () => {
    const organizationId = await stack.organizationId();
    const { jobId } = await gatherJobWithReleases(stack, agent, 'rules-crash', ['v1.0.0']);
    await releasesIngested(stack, jobId, 1);
    const scrapeJobId = await manualScrapeJob(stack, 'rules crash deployed', '1.0.0');
    // Inserted directly: creating them through the API would evaluate each at once.
    const configs = await stack.db.insertInto('alert_configs')
      .values(Array.from({ length: BULK_CONFIGS }, (_, i) => ({ organization_id: organizationId, name: `bulk config ${i}`, gather_job_id: jobId, scrape_job_id: scrapeJobId, rule_id: ruleId })))
      .returning('id').execute();
    const configIds = configs.map((c) => c.id).sort();
    // The last batch in the rules-engine's (id) order is locked: the batches before it commit, then it waits.
    const lock = await holdRowLocks(stack.url, sql`SELECT id FROM alert_configs WHERE id = ${configIds.at(-1)!}::uuid FOR UPDATE`);
    try {
      expect((await stack.call('POST', `/api/v1/gather-jobs/${jobId}/run`)).status).toBeLessThan(300);
      const task = await eventually('the run-now task', async () => (await agent.claim(1, 2)).find((t) => t.jobId === jobId), 20_000);
      expect((await agent.result(task.id, task.leaseToken, gatherResult(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0']))).status).toBe(202);
      await eventually('the rules-engine parked on the locked config', async () => ((await sessionsBlockedBy(stack.db, lock, 'planekeeper-rules-engine')) > 0 ? true : undefined), 30_000);
      // Batches run side by side (RULES_ENGINE_BATCH_CONCURRENCY): the one beside the parked one
      // may still be committing, so the kill waits for every batch but the locked last one.
      const committedBeforeKill = BULK_CONFIGS - BATCH_SIZE;
      await eventually('every batch but the locked one committed', async () => ((await outcome(configIds)).alerts.length === committedBeforeKill ? true : undefined), 30_000);
      await stack.kill('rules-engine');
      const killedAt = Date.now();
      await lock.release();
      // The transaction of the batch in progress died with the process.
      expect((await outcome(configIds)).alerts.length).toBe(committedBeforeKill);
      await restart('rules-engine');

      const now = await everyConfigNotified(configIds, 50_000);
      const recoveredMs = Date.now() - killedAt;
      expectNoDuplicates(configIds, now);
      const arrivals = arrivalsOf(now.deliveries.map((d) => d.id));
      measured.push(`rules-engine: 1 SIGKILL with ${committedBeforeKill}/${BULK_CONFIGS} configs evaluated (batches of ${BATCH_SIZE}); all ${BULK_CONFIGS} alerts created and notified ${recoveredMs} ms after the kill; ` +
        `${now.events.length} events, ${now.deliveries.length} deliveries, ${arrivals.length} arrivals`);
    } finally {
      await lock.release();
    }
  }, 60_000);

  it('the taskengine, mid-ingestion of a big release list: ingested once after restart, alerts created and notified once', async () => {
    const { jobId } = await gatherJobWithReleases(stack, agent, 'ingest-crash', ['v1.0.0']);
    await releasesIngested(stack, jobId, 1);
    const scrapeJobId = await manualScrapeJob(stack, 'ingest crash deployed', '1.0.0');
    const configIds = [
      await alertConfig(stack, 'ingest crash a', jobId, scrapeJobId, ruleId),
      await alertConfig(stack, 'ingest crash b', jobId, scrapeJobId, ruleId),
      await alertConfig(stack, 'ingest crash c', jobId, scrapeJobId, ruleId),
    ];
    // v1.0.0 (known, locked by the test) sits half-way through the new list: the upsert writes
    // the first half, then waits on it.
    const tags = Array.from({ length: BIG_RELEASES - 1 }, (_, i) => `v1.${Math.floor((i + 1) / 100)}.${(i + 1) % 100}`);
    tags.splice(BIG_RELEASES / 2, 0, 'v1.0.0');
    const lock = await holdRowLocks(stack.url, sql`SELECT id FROM releases WHERE gather_job_id = ${jobId}::uuid AND tag = 'v1.0.0' FOR UPDATE`);
    try {
      expect(lock.rows).toBe(1);
      expect((await stack.call('POST', `/api/v1/gather-jobs/${jobId}/run`)).status).toBeLessThan(300);
      const task = await eventually('the run-now task', async () => (await agent.claim(1, 2)).find((t) => t.jobId === jobId), 20_000);
      expect((await agent.result(task.id, task.leaseToken, gatherResult(tags))).status).toBe(202);
      await eventually('the taskengine parked half-way through the releases', async () => ((await sessionsBlockedBy(stack.db, lock, 'planekeeper-taskengine')) > 0 ? true : undefined), 30_000);
      await stack.kill('taskengine');
      const killedAt = Date.now();
      await lock.release();
      // Nothing of the half-written ingestion is visible: one release (the old one), task not ingested.
      expect(await count(stack, 'releases', (qb) => qb.where('gather_job_id', '=', jobId))).toBe(1);
      const before = await stack.db.selectFrom('tasks').select(['status', 'ingested_at']).where('id', '=', task.id).executeTakeFirstOrThrow();
      expect(before).toEqual({ status: 'succeeded', ingested_at: null });
      await restart('taskengine');

      await releasesIngested(stack, jobId, BIG_RELEASES, 45_000);
      const now = await everyConfigNotified(configIds, 45_000);
      const recoveredMs = Date.now() - killedAt;
      expectNoDuplicates(configIds, now);
      const messages = await queues.jobs('task.completed', { field: 'taskId', value: task.id });
      expect(messages).toHaveLength(1);
      expect(messages[0]!.retryCount).toBeGreaterThanOrEqual(1);
      const ingested = await stack.db.selectFrom('tasks').select(['ingested_at', 'error']).where('id', '=', task.id).executeTakeFirstOrThrow();
      expect(ingested.ingested_at).not.toBeNull();
      expect(ingested.error).toBeNull();
      measured.push(`taskengine: 1 SIGKILL with ${BIG_RELEASES / 2} of ${BIG_RELEASES} releases written uncommitted; after restart ${BIG_RELEASES} releases ingested once ` +
        `(task.completed retried ${messages[0]!.retryCount}x), ${configIds.length} alerts notified ${recoveredMs} ms after the kill`);
    } finally {
      await lock.release();
    }
  }, 60_000);

  it('overall: every event notified at least once, one delivery per event, no unknown or unsigned webhook, one open alert per config', async () => {
    const events = await stack.db.selectFrom('alert_events').select(['id', 'alert_id', 'type']).execute();
    const deliveries = await stack.db.selectFrom('deliveries').select(['id', 'alert_event_id', 'status']).execute();
    expect(deliveries).toHaveLength(events.length);
    expect(new Set(deliveries.map((d) => d.alert_event_id))).toEqual(new Set(events.map((e) => e.id)));
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);
    const known = new Set(deliveries.map((d) => d.id));
    expect([...receiver.deliveredIds()].sort()).toEqual([...known].sort());
    expect(receiver.arrivals.every((a) => a.webhookId !== undefined && known.has(a.webhookId))).toBe(true);
    expect(receiver.arrivals.every((a) => verifyStandardWebhook(secret, a.headers, a.body))).toBe(true);
    const perConfig = await stack.db.selectFrom('alerts').select(['alert_config_id', (eb) => eb.fn.countAll<string>().as('n')]).where('status', '=', 'open').groupBy('alert_config_id').execute();
    expect(perConfig.every((row) => Number(row.n) === 1)).toBe(true);
    const createdPerAlert = new Map<string, number>();
    for (const event of events) if (event.type === 'created') createdPerAlert.set(event.alert_id, (createdPerAlert.get(event.alert_id) ?? 0) + 1);
    expect([...createdPerAlert.values()].every((n) => n === 1)).toBe(true);
    measured.push(`overall: ${events.length} events, ${deliveries.length} deliveries, ${receiver.arrivals.length} arrivals (${receiver.arrivals.length - known.size} repeats, same webhook-id), ${perConfig.length} open alerts, 3 services killed`);
  });
});
