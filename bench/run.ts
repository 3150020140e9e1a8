// `pnpm bench`: every benchmark in one run on this machine, against real Postgres and real
// processes. Prints `name=value unit` lines and writes them to bench/results/. Pick some with
// `pnpm bench -- claims pickup`.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchClaims } from './claims.ts';
import { benchCluster } from './lib/cluster.ts';
import { Report } from './lib/report.ts';
import { benchPgBoss } from './pgboss.ts';
import { benchPickup } from './pickup.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2).filter((a) => a !== '--'));
const want = (name: string) => wanted.size === 0 || wanted.has(name);

const report = new Report();
const cluster = await benchCluster();
try {
  if (want('pgboss')) await benchPgBoss(cluster.adminUrl, report);
  if (want('claims')) {
    const { apiRssMb } = await benchClaims(cluster.adminUrl, report);
    report.record('api_rss_mb', apiRssMb, 'MB');
  }
  if (want('pickup')) await benchPickup(cluster.adminUrl, report);
} finally {
  await cluster.stop();
}
const file = await report.save(path.join(here, 'results'), { at: new Date().toISOString(), cpus: os.cpus().length, node: process.version });
console.log(`# written to ${path.relative(process.cwd(), file)}`);
