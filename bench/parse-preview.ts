import { performance } from 'node:perf_hooks';
import { previewVersions, versionPreviewRequestSchema } from '@planekeeper/domain';
import { startApp } from '../tests/support/app-process.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { cpuMeter, cpuSecondsOf } from './lib/cpu.ts';
import { makeBenchTenant } from './lib/fixtures.ts';
import type { Report } from './lib/report.ts';
import { percentile } from './lib/report.ts';

const TAGS = 5_000;
const RUNS = 20;
const NOW = new Date('2026-03-01T00:00:00Z');

/**
 * What `POST /api/v1/versions/parse` costs for 5,000 tags. In this process, no database, less
 * HTTP: validating the body with the domain's zod schema, the preview itself (parse, aliases, a
 * deployed version under all three rules) and serializing the answer. Then through the route of
 * a real api process: what a caller waits for, key check and both JSON codings included. Each the
 * median of 20 runs after 3 to warm up, in wall time and in CPU time (which moves less with the
 * neighbours' load).
 */
export async function benchParsePreview(cluster: BenchCluster, report: Report): Promise<void> {
  const body = { tags: imageTags(TAGS), deployed: '14.3.2-alpine', stableOnly: true };
  benchInProcess(body, report);
  await benchThroughHttp(cluster, body, report);
}

function benchInProcess(body: { tags: string[]; deployed: string; stableOnly: boolean }, report: Report): void {
  const totals: number[] = [];
  const cpu: number[] = [];
  const parts = { schema: [] as number[], preview: [] as number[], json: [] as number[] };
  let bytes = 0;
  for (let run = 0; run < RUNS + 3; run += 1) {
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    const request = versionPreviewRequestSchema.parse(body);
    const t1 = performance.now();
    const answer = previewVersions(request, NOW);
    const t2 = performance.now();
    bytes = JSON.stringify(answer).length;
    const t3 = performance.now();
    const cpuUsed = process.cpuUsage(cpuBefore);
    if (run < 3) continue;
    totals.push(t3 - t0);
    cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
    parts.schema.push(t1 - t0);
    parts.preview.push(t2 - t1);
    parts.json.push(t3 - t2);
  }
  report.record('parse_preview_5000_tags_ms', percentile(totals, 50), 'ms');
  report.record('parse_preview_5000_tags_cpu_ms', percentile(cpu, 50), 'ms');
  const median = (values: number[]) => percentile(values, 50).toFixed(1);
  report.note(
    `parse preview: schema ${median(parts.schema)} ms, preview ${median(parts.preview)} ms, JSON ${median(parts.json)} ms ` +
      `(${Math.round(bytes / 1024)} KiB answer); slowest run ${percentile(totals, 100).toFixed(1)} ms`,
  );
}

async function benchThroughHttp(cluster: BenchCluster, body: unknown, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'preview');
  const tenant = await makeBenchTenant(database.handle.db);
  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true' });
  try {
    const text = JSON.stringify(body);
    const totals: number[] = [];
    let apiCpu: { stop(): number | null } | null = null;
    for (let run = 0; run < RUNS + 3; run += 1) {
      // The api's CPU over the measured runs: /proc counts in 10 ms ticks, too coarse for one.
      if (run === 3) apiCpu = cpuMeter(() => cpuSecondsOf(api.child.pid!));
      const t0 = performance.now();
      const response = await fetch(`${api.url}/api/v1/versions/parse`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.adminKey}`, 'content-type': 'application/json' },
        body: text,
      });
      const answer = (await response.json()) as { summary?: { total: number } };
      const elapsed = performance.now() - t0;
      if (response.status !== 200 || answer.summary?.total !== TAGS) throw new Error(`parse preview answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
      if (run < 3) continue;
      totals.push(elapsed);
    }
    const cpuSeconds = apiCpu?.stop() ?? null;
    report.record('parse_preview_5000_tags_http_ms', percentile(totals, 50), 'ms');
    if (cpuSeconds !== null) report.record('parse_preview_5000_tags_http_cpu_ms_api', (cpuSeconds * 1000) / RUNS, 'ms');
    report.note(`parse preview through HTTP: ${Math.round(text.length / 1024)} KiB request; slowest run ${percentile(totals, 100).toFixed(1)} ms`);
  } finally {
    await api.stop();
    await database.drop();
  }
}

/**
 * A container image's tag list as registries serve them: patch releases in several variants,
 * two-part and major-only floating tags, builds, prereleases, prefixed and unparseable tags.
 */
function imageTags(count: number): string[] {
  const tags: string[] = [];
  const variants = ['', '-alpine', '-bookworm', '-slim-bookworm', '-alpine3.20'];
  for (let major = 10; tags.length < count; major += 1) {
    tags.push(`${major}`, `${major}-alpine`, `jammy-2024${String(major).padStart(4, '0')}.1`, `sha-${major.toString(16)}abc1234`);
    for (let minor = 0; minor < 10; minor += 1) {
      for (const variant of variants) tags.push(`${major}.${minor}${variant}`);
      tags.push(`${major}.${minor}.0-rc.1`, `v${major}.${minor}.0`, `controller-v${major}.${minor}.0`);
      for (let patch = 0; patch < 5; patch += 1) {
        for (const variant of variants) tags.push(`${major}.${minor}.${patch}${variant}`);
        tags.push(`${major}.${minor}.${patch}_${patch + 7}-jdk-jammy`);
      }
    }
  }
  return tags.slice(0, count);
}
