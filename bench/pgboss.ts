import { createBoss } from '@planekeeper/db';
import type { Report } from './lib/report.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';

const JOBS = 10_000;

/** What the queue itself can do: send then work 10,000 empty jobs on one queue. */
export async function benchPgBoss(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'pgboss');
  const boss = createBoss(database.url, { logger: { warn: () => undefined, error: (o) => console.error(o) }, applicationName: 'bench-pgboss', max: 10 });
  try {
    await boss.start();
    await boss.createQueue('bench.empty');
    let done = 0;
    const finished = new Promise<void>((resolve) => {
      void boss.work('bench.empty', { batchSize: 100, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true, localConcurrency: 2 }, async (jobs) => {
        done += jobs.length;
        if (done >= JOBS) resolve();
      });
    });
    const started = performance.now();
    await Promise.all(Array.from({ length: 20 }, async (_, worker) => {
      for (let i = worker; i < JOBS; i += 20) await boss.send('bench.empty', {});
    }));
    await finished;
    report.record('pgboss_send_work_per_s', JOBS / ((performance.now() - started) / 1000), 'jobs/s');
  } finally {
    await boss.stop({ graceful: false, close: true });
    await database.drop();
  }
}
