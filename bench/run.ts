// `pnpm bench`: every benchmark in one run on this machine, against real Postgres and real
// processes. Prints `name=value unit` lines and writes them to bench/results/. Pick some with
// `pnpm bench -- claims pickup`; see README.md for what each figure measures.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchApiAlertsLarge } from './api-alerts-large.ts';
import { benchApiLoad } from './api-load.ts';
import { benchClaims } from './claims.ts';
import { benchEvaluate } from './evaluate.ts';
import { benchEvaluateScale } from './evaluate-scale.ts';
import { benchFairDelivery } from './fair-delivery.ts';
import { benchFleet } from './fleet.ts';
import { benchHugeIngest } from './huge-ingest.ts';
import { benchCluster, type BenchCluster } from './lib/cluster.ts';
import { Report } from './lib/report.ts';
import { benchLongPoll } from './longpoll.ts';
import { benchMemory } from './memory.ts';
import { benchNotifier } from './notifier.ts';
import { benchParsePreview } from './parse-preview.ts';
import { benchPgBoss } from './pgboss.ts';
import { benchPickup } from './pickup.ts';
import { benchPipeline } from './pipeline.ts';
import { benchRegex } from './regex.ts';
import { benchReplicas } from './replicas.ts';
import { benchUi } from './ui.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

const BENCHMARKS: Record<string, (cluster: BenchCluster, report: Report) => Promise<void>> = {
  pgboss: benchPgBoss,
  claims: async (cluster, report) => {
    const { apiRssMb } = await benchClaims(cluster, report);
    report.record('api_rss_mb', apiRssMb, 'MB');
  },
  pickup: benchPickup,
  longpoll: benchLongPoll,
  pipeline: benchPipeline,
  evaluate: benchEvaluate,
  'evaluate-scale': benchEvaluateScale,
  notifier: benchNotifier,
  fair: benchFairDelivery,
  replicas: benchReplicas,
  api: async (cluster, report) => {
    const { apiRssMb } = await benchApiLoad(cluster, report);
    report.record('api_rss_mb_after_load', apiRssMb, 'MB');
  },
  'api-100k': benchApiAlertsLarge,
  huge: benchHugeIngest,
  memory: benchMemory,
  fleet: benchFleet,
  regex: benchRegex,
  preview: benchParsePreview,
  ui: benchUi,
};

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}

const loadAverage = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
const report = new Report();
const started = Date.now();
const loadBefore = loadAverage();
report.note(`load average before: ${loadBefore.join(' ')} on ${os.cpus().length} CPUs`);
const cluster = await benchCluster();
try {
  for (const [name, run] of Object.entries(BENCHMARKS)) {
    if (wanted.length === 0 || wanted.includes(name)) await run(cluster, report);
  }
} finally {
  await cluster.stop();
}
const seconds = Math.round((Date.now() - started) / 1000);
const loadAfter = loadAverage();
report.note(`load average after: ${loadAfter.join(' ')}; ${seconds} s in all`);
const file = await report.save(path.join(here, 'results'), {
  at: new Date().toISOString(),
  cpus: os.cpus().length,
  node: process.version,
  postgres: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAfter,
  seconds,
});
console.log(`# written to ${path.relative(process.cwd(), file)}`);
