import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createBoss, sendJob } from '@planekeeper/db';
import { alertEventQueue } from '@planekeeper/domain';
import { sql } from 'kysely';
import type { Report } from './lib/report.ts';
import { percentile } from './lib/report.ts';
import { until } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeAlertEvents, makeBenchTenant } from './lib/fixtures.ts';
import { profiling } from './lib/node-process.ts';
import { startApp } from '../tests/support/app-process.ts';

const EVENTS = 1_000;
const CHANNELS = 10;
/**
 * Alert events sent per second (200 deliveries a second, within what one notifier drains on a
 * quiet 2-core machine); PK_BENCH_FAIR_EVENTS_PER_S to change it.
 */
const EVENTS_PER_SECOND = Number(process.env.PK_BENCH_FAIR_EVENTS_PER_S ?? 20);
const SLOW_ANSWER_MS = 5_000;
const TIME_LIMIT_MS = 120_000;

interface Receiver {
  url: string;
  /** Arrival time (performance.now()) of each event's webhook, by alert id. */
  arrivals: Map<string, number>;
  /** Answer this long after a webhook arrived. */
  delayMs: number;
  close(): Promise<void>;
}

/** A webhook receiver on loopback that notes when each alert's webhook arrived, and answers 204 after `delayMs`. */
async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  const open = new Set<ServerResponse>();
  const receiver: Receiver = { url: '', arrivals, delayMs: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const at = performance.now();
      const alertId = (JSON.parse(body) as { data?: { alert?: { id?: string } } }).data?.alert?.id;
      if (alertId && !arrivals.has(alertId)) arrivals.set(alertId, at);
      if (receiver.delayMs === 0) return void res.writeHead(204).end();
      open.add(res);
      setTimeout(() => {
        open.delete(res);
        res.writeHead(204).end();
      }, receiver.delayMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/**
 * Issue 17 point 4: 1,000 alert events, each sent to 10 webhook channels by notification rules,
 * through the real notifier process (default settings, loopback allowed). The events are made
 * first; the clock of each starts when the bench sends its `alert.event` job (20 a second, what
 * the rules-engine would send) and stops for each channel when that channel's receiver has the
 * webhook. Run twice on fresh databases: once with one receiver answering only after 5 s, once
 * with all ten answering at once. Prints the p95 of the nine fast channels in both runs.
 */
export async function benchFairDelivery(cluster: BenchCluster, report: Report): Promise<void> {
  const withSlow = await fairRun(cluster, report, true);
  const withoutSlow = await fairRun(cluster, report, false);
  report.record('fair_fast_channel_ms_p95', withSlow.p95, 'ms');
  report.record('fair_fast_channel_ms_p95_without_slow', withoutSlow.p95, 'ms');
  report.note(`fair delivery: fast channels p50 ${withSlow.p50} ms with the slow one, ${withoutSlow.p50} ms without; the slow channel got ${withSlow.slowArrived} of ${EVENTS} webhooks meanwhile (its share: 4 attempts of 5 s at a time)`);
}

async function fairRun(cluster: BenchCluster, report: Report, slow: boolean): Promise<{ p50: number; p95: number; slowArrived: number }> {
  const database = await freshDatabase(cluster.adminUrl, slow ? 'fair_slow' : 'fair_fast');
  const { db } = database.handle;
  const { organizationId } = await makeBenchTenant(db);
  const receivers: Receiver[] = [];
  for (let i = 0; i < CHANNELS; i++) receivers.push(await startReceiver());
  if (slow) receivers[0]!.delayMs = SLOW_ANSWER_MS;
  const boss = createBoss(database.url, { logger: { warn: () => undefined, error: (o) => console.error(o) }, applicationName: 'bench-fair', supervise: false });
  const notifier = await startApp('notifier', { DATABASE_URL: database.url, NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true', ...profiling('notifier') });
  try {
    await boss.start();
    for (const [i, receiver] of receivers.entries()) {
      const channel = await db.insertInto('notification_channels').values({ organization_id: organizationId, name: `receiver ${i}`, type: 'webhook', url: receiver.url, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('notification_rules').values({ organization_id: organizationId, name: `to ${i}`, channel_id: channel.id, events: ['created'], severities: ['moderate', 'high', 'critical'] }).execute();
    }
    const events = await makeAlertEvents(db, organizationId, EVENTS);
    await sql`ANALYZE`.execute(db);

    const sentAt = new Map<string, number>();
    const started = performance.now();
    for (const [i, event] of events.entries()) {
      const due = started + (i * 1000) / EVENTS_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      sentAt.set(event.alert_id, performance.now());
      await sendJob(boss, null, alertEventQueue, { organizationId, alertEventId: event.id });
    }
    // The nine channels that answer at once in both runs.
    const fast = receivers.slice(1);
    let timedOut = false;
    await until('every fast channel to have every event', async () => fast.every((r) => r.arrivals.size >= EVENTS), TIME_LIMIT_MS, 50).catch(() => (timedOut = true));
    const latencies: number[] = [];
    for (const receiver of fast) for (const [alertId, at] of receiver.arrivals) latencies.push(at - sentAt.get(alertId)!);
    if (timedOut) report.note(`fair delivery (${slow ? 'with' : 'without'} the slow channel): only ${latencies.length} of ${EVENTS * fast.length} fast webhooks arrived within ${TIME_LIMIT_MS / 1000} s`);
    return { p50: Math.round(percentile(latencies, 50)), p95: timedOut ? Number.NaN : percentile(latencies, 95), slowArrived: receivers[0]!.arrivals.size };
  } finally {
    await notifier.stop();
    await boss.stop({ graceful: false, close: true });
    for (const receiver of receivers) await receiver.close();
    await database.drop();
  }
}
