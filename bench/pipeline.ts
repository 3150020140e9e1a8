import { performance } from 'node:perf_hooks';
import type { Report } from './lib/report.ts';
import { percentile } from './lib/report.ts';
import { callApi, until } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant, registerAgent } from './lib/fixtures.ts';
import { startApp, type RunningApp } from '../tests/support/app-process.ts';
import { startWebhookReceiver, verifyStandardWebhook } from '../tests/support/webhook-receiver.ts';

const SAMPLES = 200;
const NEVER = '0 0 1 1 *';

interface ClaimedTask {
  id: string;
  kind: string;
  jobId: string;
  leaseToken: string;
}

/**
 * Scrape result reported -> signed webhook received, through the real api, taskengine,
 * rules-engine and notifier processes (default settings, only loopback targets allowed). Each
 * sample reports a deployed version that alternately opens (1.0.0 against a latest 2.0.0, one
 * major behind) and resolves (2.0.0) the config's alert, so every sample ends in exactly one
 * webhook: `alert.created`, then `alert.resolved`, and so on. The clock starts just before the
 * simulated agent POSTs the result and stops when the receiver has read the webhook's body.
 */
export async function benchPipeline(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'pipeline');
  const tenant = await makeBenchTenant(database.handle.db);
  const receiver = await startWebhookReceiver();
  const arrivals: Array<{ at: number; type: string; signed: boolean }> = [];
  let secret = '';
  receiver.respond = (webhook) => {
    arrivals.push({ at: performance.now(), type: String(webhook.json?.type), signed: verifyStandardWebhook(secret, webhook.headers, webhook.body) });
    return { status: 204 };
  };
  const apps: RunningApp[] = [];
  try {
    const common = { DATABASE_URL: database.url };
    const api = await startApp('api', { ...common, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true' });
    apps.push(api);
    apps.push(
      ...(await Promise.all([
        startApp('taskengine', common),
        startApp('rules-engine', common),
        startApp('notifier', { ...common, NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true', PUBLIC_URL: api.url }),
      ])),
    );
    const admin = <T>(method: string, route: string, body?: unknown) => callApi<T>(api.url, tenant.adminKey, method, route, body);

    const rule = await admin<{ id: string }>('POST', '/api/v1/rules', { name: 'a major behind', type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true });
    const gather = await admin<{ id: string }>('POST', '/api/v1/gather-jobs', { name: 'widget releases', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget' }, schedule: NEVER });
    const scrape = await admin<{ id: string }>('POST', '/api/v1/scrape-jobs', {
      name: 'widget in production', repoUrl: 'https://git.example.com/acme/deploy.git', ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', schedule: NEVER,
    });
    const channel = await admin<{ id: string; secret: string }>('POST', '/api/v1/notification-channels', { name: 'bench receiver', type: 'webhook', url: receiver.url });
    secret = channel.body.secret;
    await admin('POST', '/api/v1/notification-rules', { name: 'opens and resolves', channelId: channel.body.id, events: ['created', 'resolved'], severities: ['moderate', 'high', 'critical'] });
    await admin('POST', '/api/v1/alert-configs', { name: 'widget lag', gatherJobId: gather.body.id, scrapeJobId: scrape.body.id, ruleId: rule.body.id });

    const agentId = await registerAgent(api.url, tenant.agentKey, 'pipeline-bench', []);
    const agent = <T>(route: string, body: unknown) => callApi<T>(api.url, tenant.agentKey, 'POST', `/api/v1/agent${route}`, body);
    const claim = async (): Promise<ClaimedTask> => {
      for (;;) {
        const answer = await agent<{ tasks: ClaimedTask[] }>('/tasks/claim', { agentId, max: 1, wait: 10 });
        const task = answer.body?.tasks[0];
        if (task) return task;
      }
    };

    // The releases first: 1.0.0 and 2.0.0. The scheduler also runs the new jobs once on its own;
    // a gather task claimed later is reported with the same releases (which changes nothing).
    const releases = ['v1.0.0', 'v2.0.0'].map((tag, i) => ({ tag, publishedAt: new Date(Date.now() - (2 - i) * 86_400_000).toISOString(), prerelease: false, url: null }));
    const claimScrape = async (): Promise<ClaimedTask> => {
      for (;;) {
        const task = await claim();
        if (task.kind === 'scrape') return task;
        await agent(`/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: { releases } });
      }
    };
    await admin('POST', `/api/v1/gather-jobs/${gather.body.id}/run`);
    for (let gathered = false; !gathered; ) {
      const task = await claim();
      gathered = task.kind === 'gather';
      if (gathered) await agent(`/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: { releases } });
      else await agent(`/tasks/${task.id}/failure`, { leaseToken: task.leaseToken, error: { message: 'not yet', retryable: true } });
    }
    await until('the releases to be ingested', async () => (await database.handle.db.selectFrom('releases').select('id').execute()).length === 2, 30_000);

    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      await admin('POST', `/api/v1/scrape-jobs/${scrape.body.id}/run`);
      const task = await claimScrape();
      const version = i % 2 === 0 ? '1.0.0' : '2.0.0';
      const before = arrivals.length;
      const reportedAt = performance.now();
      await agent(`/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: { version, raw: `tag: ${version}`, commitSha: 'a'.repeat(40) } });
      await until(`webhook ${i + 1}`, async () => arrivals.length > before, 30_000, 1);
      const arrival = arrivals[before]!;
      const expected = i % 2 === 0 ? 'alert.created' : 'alert.resolved';
      if (arrival.type !== expected || !arrival.signed) throw new Error(`sample ${i}: got ${arrival.type} (signature ${arrival.signed ? 'valid' : 'INVALID'}), expected a signed ${expected}`);
      latencies.push(arrival.at - reportedAt);
    }
    report.record('pipeline_latency_ms_p50', percentile(latencies, 50), 'ms');
    report.record('pipeline_latency_ms_p95', percentile(latencies, 95), 'ms');
    report.record('pipeline_latency_ms_p99', percentile(latencies, 99), 'ms');
    if (arrivals.length !== SAMPLES) report.note(`pipeline: ${arrivals.length} webhooks for ${SAMPLES} samples`);
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await receiver.close();
    await database.drop();
  }
}
