import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ROOT } from '../../tests/support/app-process.ts';

/** Resident set size of a process in MB, from /proc (VmRSS). */
export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** RssAnon / RssFile of a process in MB (heap and other private memory / mapped files such as the node binary). */
export function rssBreakdownOf(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024);
  return `anon ${mb('RssAnon')} MB, file ${mb('RssFile')} MB`;
}

/** A node process started from a built entry point (`apps/<app>/dist/main.js`), as the images run it. */
export interface BuiltProcess {
  pid: number;
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node <entry>` (relative to the repository root) with NODE_ENV=production, as the
 * Dockerfiles do; with `readyUrl`, waits until it answers 200.
 */
export async function startBuilt(entry: string, env: Record<string, string>, readyUrl?: string): Promise<BuiltProcess> {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${entry}`);
  const pid = child.pid;
  const deadline = Date.now() + 60_000;
  while (readyUrl && !(await fetch(readyUrl).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${entry} did not become ready at ${readyUrl}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid,
    rssMb: () => rssMbOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** Builds workspace packages with their dependencies (`pnpm --filter <pkg>... build`); returns the seconds it took. */
export async function buildPackages(packages: string[]): Promise<number> {
  const started = Date.now();
  const args = [...packages.flatMap((name) => ['--filter', `${name}...`]), 'run', 'build'];
  await promisify(execFile)('pnpm', args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return (Date.now() - started) / 1000;
}

/**
 * Extra environment that makes an app write a CPU profile when it exits, when PK_BENCH_CPU_PROF
 * names it (`PK_BENCH_CPU_PROF=notifier,api pnpm bench -- notifier`); the profiles go to
 * bench/results/profiles/ (open them in Chrome DevTools or speedscope).
 */
export function profiling(app: string): Record<string, string> {
  const wanted = (process.env.PK_BENCH_CPU_PROF ?? '').split(',').map((name) => name.trim());
  if (!wanted.includes(app)) return {};
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${ROOT}/bench/results/profiles --cpu-prof-name=${app}-${Date.now()}.cpuprofile`.trim() };
}
