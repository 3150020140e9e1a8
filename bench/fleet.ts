import { percentile, type Report } from './lib/report.ts';
import { leanPoster } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant, makePendingTasks } from './lib/fixtures.ts';
import { startApp } from '../tests/support/app-process.ts';

const AGENTS = 2000;
const ROUNDS = 3;
const PENDING_TASKS = 10_000;

/**
 * Fleet health at scale: heartbeats with a health sample, clock and instance id from 2000 agents
 * (the common path: the instance that beat last beats again), and the api's /metrics answer with
 * 2000 agents' gauges and 10,000 pending tasks checked for work nobody can take.
 */
export async function benchFleet(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'fleet');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true' });
  try {
    await makePendingTasks(db, tenant.organizationId, PENDING_TASKS);
    const client = leanPoster(api.url, tenant.agentKey, 50);
    const instances = Array.from({ length: AGENTS }, () => crypto.randomUUID());
    const beat = (i: number) =>
      client.post('/api/v1/agent/heartbeat', {
        name: `fleet-${i}`, version: 'bench', hostname: 'bench', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 4,
        instanceId: instances[i], clock: Date.now(), roundTripMs: 2,
        health: { cpuPercent: 1.2, rssBytes: 50_000_000, loadAverage: [0.5, 0.4, 0.3], cacheFreeBytes: 1e10, runningTasks: 0 },
      });
    const latencies: number[] = [];
    let beats = 0;
    let started = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      // Round 0 registers the agents; the rounds after it are the steady state measured.
      if (round === 1) started = performance.now();
      const queue = Array.from({ length: AGENTS }, (_, i) => i);
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
            const at = performance.now();
            const answer = await beat(i);
            if (answer.status !== 200) throw new Error(`heartbeat answered ${answer.status}: ${answer.text}`);
            if (round > 0) {
              latencies.push(performance.now() - at);
              beats++;
            }
          }
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    client.close();
    report.record('fleet_heartbeats_per_s', beats / seconds, 'beats/s');
    report.record('fleet_heartbeat_p99_ms', percentile(latencies, 99), 'ms');

    const scrapes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const at = performance.now();
      const text = await (await fetch(`${api.url}/metrics`)).text();
      scrapes.push(performance.now() - at);
      bytes = text.length;
    }
    report.record(`fleet_metrics_scrape_p50_ms_${AGENTS}_agents`, percentile(scrapes, 50), 'ms');
    report.record('fleet_metrics_size_kb', bytes / 1024, 'KB');
  } finally {
    await api.stop();
    await database.drop();
  }
}
