import { performance } from 'node:perf_hooks';
import { createBoss, sendJobs } from '@planekeeper/db';
import { alertEventQueue, evaluateQueue } from '@planekeeper/domain';
import { sql } from 'kysely';
import type { Report } from './lib/report.ts';
import { percentile } from './lib/report.ts';
import { callApi, leanPoster, until } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { deletePendingTasks, makeBenchTenant, makePendingTasks, registerAgent } from './lib/fixtures.ts';
import { startApp, type RunningApp } from '../tests/support/app-process.ts';
import { startWebhookReceiver } from '../tests/support/webhook-receiver.ts';

const TASKS = 5_000;
const AGENTS = 20;
const SAMPLES = 100;
const BURST_EVENTS = 2_000;
/** Alert configs evaluated at once, each through its own `evaluate {scrapeJobId}` job. */
const EVALUATIONS = 2_000;
const NEVER = '0 0 1 1 *';

interface ClaimedTask {
  id: string;
  kind: string;
  leaseToken: string;
}

/**
 * Issue 17 point 5: the same work with one and with two processes of each service (api,
 * taskengine, rules-engine, notifier) on one Postgres, in the same run: claims by 20 simulated
 * agents spread over the api replicas (5,000 tasks, `wait: 0`), the pipeline (100 samples of
 * result -> webhook as `pipeline` measures it, results posted to the replicas in turn), and a
 * burst of 2,000 alert events queued at once, fanned out and delivered by the notifiers, and
 * 2,000 alert configs (each its own deployment, one major behind) evaluated through one
 * `evaluate {scrapeJobId}` job each, queued at once as 2,000 finished scrapes would, taken by the
 * rules-engines side by side. Duplicates are webhooks whose `webhook-id` (the delivery) arrived
 * before, plus deliveries beyond one per event; duplicate alert events are `created` events
 * beyond one per alert, and alerts beyond one per config.
 */
export async function benchReplicas(cluster: BenchCluster, report: Report): Promise<void> {
  for (const replicas of [1, 2]) await replicaRun(cluster, report, replicas);
}

async function replicaRun(cluster: BenchCluster, report: Report, replicas: number): Promise<void> {
  const name = `replicas${replicas}`;
  const database = await freshDatabase(cluster.adminUrl, name);
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const receiver = await startWebhookReceiver();
  const webhookIds = new Map<string, number>();
  const arrivals: Array<{ at: number; type: string }> = [];
  receiver.respond = (webhook) => {
    const id = String(webhook.headers['webhook-id']);
    webhookIds.set(id, (webhookIds.get(id) ?? 0) + 1);
    arrivals.push({ at: performance.now(), type: String(webhook.json?.type) });
    return { status: 204 };
  };
  const apps: RunningApp[] = [];
  const common = { DATABASE_URL: database.url };
  try {
    const apis: RunningApp[] = [];
    for (let i = 0; i < replicas; i++) apis.push(await startApp('api', { ...common, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true' }));
    apps.push(...apis);
    apps.push(...(await Promise.all(Array.from({ length: replicas }, () => [
      startApp('taskengine', common),
      startApp('rules-engine', common),
      startApp('notifier', { ...common, NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true', PUBLIC_URL: apis[0]!.url }),
    ]).flat())));

    // Claims, agents spread over the api replicas.
    await makePendingTasks(db, tenant.organizationId, TASKS);
    const agents = await Promise.all(Array.from({ length: AGENTS }, async (_, i) => {
      const api = apis[i % replicas]!;
      return { id: await registerAgent(api.url, tenant.agentKey, `${name}-${i}`, i % 2 === 0 ? ['corp-registry'] : []), client: leanPoster(api.url, tenant.agentKey, 1) };
    }));
    const claimed: string[] = [];
    const started = performance.now();
    await Promise.all(agents.map(async ({ id, client }) => {
      for (;;) {
        const response = await client.post('/api/v1/agent/tasks/claim', { agentId: id, max: 1, wait: 0 });
        if (response.status === 204) return;
        if (response.status !== 200) throw new Error(`claim answered ${response.status}: ${response.text}`);
        for (const task of (JSON.parse(response.text) as { tasks: Array<{ id: string }> }).tasks) claimed.push(task.id);
      }
    }));
    const claimSeconds = (performance.now() - started) / 1000;
    for (const agent of agents) agent.client.close();
    report.record(`${name}_claim_tasks_per_s`, claimed.length / claimSeconds, 'tasks/s');
    report.record(`${name}_double_claims`, claimed.length - new Set(claimed).size, 'tasks');
    if (claimed.length !== TASKS) report.note(`${name}: ${claimed.length} of ${TASKS} tasks claimed`);
    await deletePendingTasks(db);

    // The pipeline, results posted to the api replicas in turn.
    const admin = <T>(method: string, route: string, body?: unknown) => callApi<T>(apis[0]!.url, tenant.adminKey, method, route, body);
    const rule = await admin<{ id: string }>('POST', '/api/v1/rules', { name: 'a major behind', type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true });
    const gather = await admin<{ id: string }>('POST', '/api/v1/gather-jobs', { name: 'widget releases', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget' }, schedule: NEVER });
    const scrape = await admin<{ id: string }>('POST', '/api/v1/scrape-jobs', {
      name: 'widget in production', repoUrl: 'https://git.example.com/acme/deploy.git', ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', schedule: NEVER,
    });
    const channel = await admin<{ id: string }>('POST', '/api/v1/notification-channels', { name: 'bench receiver', type: 'webhook', url: receiver.url });
    await admin('POST', '/api/v1/notification-rules', { name: 'everything', channelId: channel.body.id, events: ['created', 'resolved'], severities: ['moderate', 'high', 'critical'] });
    await admin('POST', '/api/v1/alert-configs', { name: 'widget lag', gatherJobId: gather.body.id, scrapeJobId: scrape.body.id, ruleId: rule.body.id });
    const pipelineAgent = await registerAgent(apis[0]!.url, tenant.agentKey, `${name}-pipeline`, []);
    const agentCall = <T>(i: number, route: string, body: unknown) => callApi<T>(apis[i % replicas]!.url, tenant.agentKey, 'POST', `/api/v1/agent${route}`, body);
    const claim = async (i: number): Promise<ClaimedTask> => {
      for (;;) {
        const task = (await agentCall<{ tasks: ClaimedTask[] }>(i, '/tasks/claim', { agentId: pipelineAgent, max: 1, wait: 10 })).body?.tasks[0];
        if (task) return task;
      }
    };
    const releases = ['v1.0.0', 'v2.0.0'].map((tag, i) => ({ tag, publishedAt: new Date(Date.now() - (2 - i) * 86_400_000).toISOString(), prerelease: false, url: null }));
    const claimScrape = async (i: number): Promise<ClaimedTask> => {
      for (;;) {
        const task = await claim(i);
        if (task.kind === 'scrape') return task;
        await agentCall(i, `/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: { releases } });
      }
    };
    await admin('POST', `/api/v1/gather-jobs/${gather.body.id}/run`);
    for (let gathered = false; !gathered; ) {
      const task = await claim(0);
      gathered = task.kind === 'gather';
      if (gathered) await agentCall(0, `/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: { releases } });
      else await agentCall(0, `/tasks/${task.id}/failure`, { leaseToken: task.leaseToken, error: { message: 'not yet', retryable: true } });
    }
    await until('the releases to be ingested', async () => (await db.selectFrom('releases').select('id').execute()).length === 2, 30_000);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      await admin('POST', `/api/v1/scrape-jobs/${scrape.body.id}/run`);
      const task = await claimScrape(i);
      const version = i % 2 === 0 ? '1.0.0' : '2.0.0';
      const before = arrivals.length;
      const reportedAt = performance.now();
      await agentCall(i, `/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: { version, raw: `tag: ${version}`, commitSha: 'a'.repeat(40) } });
      await until(`webhook ${i + 1}`, async () => arrivals.length > before, 30_000, 1);
      latencies.push(arrivals[before]!.at - reportedAt);
    }
    report.record(`${name}_pipeline_latency_ms_p95`, percentile(latencies, 95), 'ms');

    // A burst of alert events, queued at once: both notifiers fan them out and deliver them.
    const { rows: events } = await sql<{ id: string }>`
      WITH a AS (
        INSERT INTO alerts (organization_id, alert_config_id, alert_config_name, status, severity, rule_type, deployed_version, latest_version, behind_by, resolved_at)
        SELECT ${tenant.organizationId}, NULL, 'burst', 'resolved', 'moderate', 'majors_behind', '1.' || i || '.0', '2.0.0', 1, now()
          FROM generate_series(1, ${BURST_EVENTS}) AS i
        RETURNING id, deployed_version
      )
      INSERT INTO alert_events (organization_id, alert_id, type, severity, deployed_version, latest_version, behind_by)
      SELECT ${tenant.organizationId}, a.id, 'created', 'moderate', a.deployed_version, '2.0.0', 1 FROM a RETURNING id`.execute(db);
    const boss = createBoss(database.url, { logger: { warn: () => undefined, error: (o) => console.error(o) }, applicationName: 'bench-replicas', supervise: false });
    await boss.start();
    const before = webhookIds.size;
    const burstStarted = performance.now();
    await db.transaction().execute((trx) => sendJobs(boss, trx, alertEventQueue, events.map((e) => ({ organizationId: tenant.organizationId, alertEventId: e.id }))));
    await until('every burst event delivered', async () => webhookIds.size - before >= BURST_EVENTS, 120_000, 20).catch(() => report.note(`${name}: ${webhookIds.size - before} of ${BURST_EVENTS} burst events delivered in 120 s`));
    report.record(`${name}_deliveries_per_s`, (webhookIds.size - before) / ((performance.now() - burstStarted) / 1000), 'deliveries/s');

    // Evaluations: each config opens one moderate alert (1.0.0 against 2.0.0), whose `created`
    // event the notifiers deliver too (counted with the duplicates below).
    const { rows: scrapeJobs } = await sql<{ id: string }>`
      WITH s AS (
        INSERT INTO scrape_jobs (organization_id, name, parser)
        SELECT ${tenant.organizationId}, 'deployment ' || i, 'manual' FROM generate_series(1, ${EVALUATIONS}) AS i
        RETURNING id, name
      ), snap AS (
        INSERT INTO version_snapshots (organization_id, scrape_job_id, version, source, found_at)
        SELECT ${tenant.organizationId}, id, '1.0.0', 'manual', now() FROM s
      ), c AS (
        INSERT INTO alert_configs (organization_id, name, gather_job_id, scrape_job_id, rule_id)
        SELECT ${tenant.organizationId}, 'lag of ' || s.name, ${gather.body.id}, s.id, ${rule.body.id} FROM s
      )
      SELECT id FROM s`.execute(db);
    const evaluationsFrom = new Date();
    const evaluationsStarted = performance.now();
    await db.transaction().execute((trx) => sendJobs(boss, trx, evaluateQueue, scrapeJobs.map((job) => ({ organizationId: tenant.organizationId, reason: 'scrape_completed', target: { scrapeJobId: job.id } }))));
    const evaluated = async () => Number((await sql<{ n: string }>`
      SELECT count(*) AS n FROM evaluations e JOIN alert_configs c ON c.id = e.alert_config_id
       WHERE c.name LIKE 'lag of deployment %' AND e.evaluated_at >= ${evaluationsFrom}`.execute(db)).rows[0]!.n);
    await until(`${EVALUATIONS} configs evaluated`, async () => (await evaluated()) === EVALUATIONS, 120_000, 20).catch(async () => report.note(`${name}: ${await evaluated()} of ${EVALUATIONS} configs evaluated in 120 s`));
    report.record(`${name}_evaluations_per_s`, (await evaluated()) / ((performance.now() - evaluationsStarted) / 1000), 'configs/s');
    await until('every evaluation\'s event delivered', async () => webhookIds.size - before >= BURST_EVENTS + EVALUATIONS, 120_000, 20)
      .catch(() => report.note(`${name}: ${webhookIds.size - before - BURST_EVENTS} of ${EVALUATIONS} evaluation events delivered in 120 s`));
    const { rows: twice } = await sql<{ events: string; alerts: string }>`
      SELECT (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM alert_events WHERE type = 'created' GROUP BY alert_id) per_alert) AS events,
             (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM alerts a JOIN alert_configs c ON c.id = a.alert_config_id
                                                 WHERE c.name LIKE 'lag of deployment %' GROUP BY a.alert_config_id) per_config) AS alerts`.execute(db);
    report.record(`${name}_duplicate_alert_events`, Number(twice[0]!.events) + Number(twice[0]!.alerts), 'events');
    await boss.stop({ graceful: false, close: true });
    // Let any late duplicate arrive: every delivery recorded settled first.
    await until('every delivery settled', async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM deliveries WHERE status = 'pending'`.execute(db)).rows[0]!.n) === 0, 30_000, 50).catch(() => undefined);
    const repeatedWebhooks = [...webhookIds.values()].reduce((sum, n) => sum + n - 1, 0);
    const { rows: extra } = await sql<{ n: string }>`
      SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM deliveries GROUP BY alert_event_id, channel_id) per_event`.execute(db);
    report.record(`${name}_duplicate_deliveries`, repeatedWebhooks + Number(extra[0]!.n), 'deliveries');
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await receiver.close();
    await database.drop();
  }
}
