import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compileUserRegex } from '@planekeeper/domain/regex';
import type { Report } from './lib/report.ts';
import type { BenchCluster } from './lib/cluster.ts';

const TAGS = 10_000;
const ROUNDS = 20;

/** Tag filters as users write them (every one RE2 and JavaScript syntax alike). */
const FILTERS = [
  '^v\\d+\\.\\d+\\.\\d+$',
  '^\\d+\\.\\d+-alpine$',
  '^controller-v',
  '^[0-9]+\\.[0-9]+\\.[0-9]+_[0-9]+-jdk-jammy$',
  '-(alpine|bookworm)$',
  '^(v)?[0-9]+(\\.[0-9]+){2}(-rc\\.[0-9]+)?$',
];

/**
 * 10,000 tags of the shapes registries and release pages hold (`v1.29.3`, `controller-v1.10.1`,
 * `16.2-alpine`, `21.0.3_9-jdk-jammy`, `sha-abc1234`, ...), the same every run.
 */
export function realLookingTags(count: number): string[] {
  let seed = 42;
  const pick = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const hex = (length: number) => Array.from({ length }, () => '0123456789abcdef'[pick(16)]).join('');
  const day = () => `${String(1 + pick(12)).padStart(2, '0')}${String(1 + pick(28)).padStart(2, '0')}`;
  const shapes: (() => string)[] = [
    () => `v${pick(3)}.${pick(40)}.${pick(20)}`,
    () => `${pick(3)}.${pick(40)}.${pick(20)}`,
    () => `controller-v${pick(2)}.${pick(15)}.${pick(10)}`,
    () => `helm-chart-${pick(5)}.${pick(15)}.${pick(10)}`,
    () => `${10 + pick(8)}.${pick(10)}-${['alpine', 'bookworm', 'bullseye', 'alpine3.19'][pick(4)]}`,
    () => `${11 + pick(14)}.0.${pick(12)}_${pick(15)}-${['jdk', 'jre'][pick(2)]}-${['jammy', 'focal', 'noble', 'alpine'][pick(4)]}`,
    () => `sha-${hex(7)}`,
    () => `v${pick(3)}.${pick(30)}.${pick(10)}-rc.${pick(5)}`,
    () => `${pick(9)}.${pick(10)}.${pick(10)}-beta${pick(4)}`,
    () => `20${20 + pick(6)}.${day().slice(0, 2)}.${day().slice(2)}`,
    () => `${16 + pick(3)}.0-2024${day()}`,
    () => `main-${hex(7)}`,
    () => `pr-${pick(5000)}`,
    () => `${1 + pick(2)}.${pick(30)}.${pick(10)}-alpine3.${16 + pick(4)}`,
    () => ['latest', 'stable', 'edge', 'nightly'][pick(4)] as string,
  ];
  return Array.from({ length: count }, () => (shapes[pick(shapes.length)] as () => string)());
}

/** Median over ROUNDS (after one warm-up) of the milliseconds one filter takes over `tags`, compile included. */
function medianFilterMs(tags: readonly string[], compile: (pattern: string) => { test(text: string): boolean }): { ms: number; kept: number } {
  let kept = 0;
  const samples: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    for (const pattern of FILTERS) {
      const started = performance.now();
      const regex = compile(pattern);
      let matches = 0;
      for (const tag of tags) if (regex.test(tag)) matches++;
      if (round >= 0) samples.push(performance.now() - started);
      if (round === 0) kept += matches;
    }
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)] as number, kept };
}

/**
 * Milliseconds and resident MB that loading the engine (re2js, as the built agent loads it with
 * its first filter) and compiling one pattern cost a fresh node process. The package is imported
 * from the domain's folder: through the domain's TypeScript sources, node's type stripping
 * would be measured too.
 */
function importCost(): { ms: number; rssMb: number } {
  const domainDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'domain');
  const script = `
    const rss = process.memoryUsage().rss; const started = performance.now();
    const { RE2JS } = await import('re2js');
    RE2JS.compile('^v\\\\d+$').test('v1');
    console.log(JSON.stringify({ ms: performance.now() - started, rssMb: (process.memoryUsage().rss - rss) / 1048576 }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: domainDir, encoding: 'utf8' });
  return JSON.parse(output) as { ms: number; rssMb: number };
}

/**
 * User regexes (tag filters, chart filters, the scrape `regex` parser) run in the domain's
 * linear-time engine (re2js). This measures it beside JavaScript's RegExp on the same 10,000
 * tags and the same six filters, plus what a catastrophic filter costs it (JavaScript's engine
 * would not return), and what loading it costs a fresh process. No database or app is involved.
 */
export async function benchRegex(_cluster: BenchCluster, report: Report): Promise<void> {
  const tags = realLookingTags(TAGS);
  const linear = medianFilterMs(tags, (pattern) => {
    const compiled = compileUserRegex(pattern);
    if (!compiled.ok) throw new Error(`${pattern}: ${compiled.error}`);
    return compiled.regex;
  });
  const builtin = medianFilterMs(tags, (pattern) => new RegExp(pattern));
  if (linear.kept !== builtin.kept) throw new Error(`the engines disagree: ${linear.kept} tags kept against ${builtin.kept}`);
  report.record('regex_tag_filter_10000_tags_ms', linear.ms, 'ms');
  report.record('regex_tag_filter_10000_tags_builtin_ms', builtin.ms, 'ms');
  report.note(`median of ${ROUNDS} rounds x ${FILTERS.length} filters (compile included); both engines kept the same ${linear.kept} tags in a round`);

  // Issue 13's filter over 10,000 tags, a tenth of them built to make a backtracking engine explode.
  const hostile = tags.map((tag, i) => (i % 10 === 0 ? `${'a'.repeat(48)}!` : tag));
  const compiled = compileUserRegex('^(a+)+$');
  if (!compiled.ok) throw new Error(compiled.error);
  const started = performance.now();
  for (const tag of hostile) compiled.regex.test(tag);
  report.record('regex_tag_filter_hostile_10000_tags_ms', performance.now() - started, 'ms');

  const cost = importCost();
  report.record('regex_engine_import_ms', cost.ms, 'ms');
  report.record('regex_engine_import_rss_mb', cost.rssMb, 'MB');
}
