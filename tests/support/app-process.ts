import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@planekeeper/db';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningApp {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  /** Where /metrics is: the api's ops port (API_OPS_PORT, a free one unless `env` names it); the other services' own port. */
  opsUrl: string;
  /** Resident set size in MB, from /proc. */
  rssMb(): number;
  /** SIGTERM, as Kubernetes stops a pod; resolves once the process is gone and its output read (SIGKILL after 15 s). */
  stop(): Promise<void>;
  /** SIGKILL: no graceful stop, connections dropped mid-transaction; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * The node flags of an app's `start` script (`node --max-semi-space-size=16 dist/main.js`), which
 * the image's CMD repeats: tests and benchmarks run the app with the flags it runs with.
 */
export function startFlags(name: string): string[] {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'apps', name, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  const words = start.split(/\s+/);
  if (words[0] !== 'node') return [];
  return words.slice(1).filter((word, i, all) => word.startsWith('--') && all.slice(0, i).every((w) => w.startsWith('--')));
}

/**
 * Starts one app as a real process from its TypeScript sources (as `pnpm start` runs them, with
 * its start script's node flags), at
 * LOG_LEVEL=warn unless `env` says otherwise, and waits until `/readyz` answers 200 (or not at
 * all, with `readyPath: null`: the agent has none). `onLine` sees every line it writes, stdout
 * and stderr (without it, PK_APP_LOGS shows stdout on the terminal); the tail of what it wrote
 * goes into the error should it die while starting. The one way the cross-service tests and the
 * benchmarks start a service.
 */
export async function startApp(
  name: string,
  env: Record<string, string>,
  options: { readyPath?: string | null; onLine?: (line: string, stream: 'stdout' | 'stderr') => void } = {},
): Promise<RunningApp> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // The api serves /metrics on an ops port of its own; several apis run at once in tests.
  const opsPort = name !== 'api' ? port : env.API_OPS_PORT ? Number(env.API_OPS_PORT) : await freePort();
  const child = spawn(process.execPath, [...startFlags(name), '--conditions=source', path.join(ROOT, 'apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), ...(name === 'api' ? { API_OPS_PORT: String(opsPort) } : {}) },
    stdio: ['ignore', options.onLine ? 'pipe' : process.env.PK_APP_LOGS ? 'inherit' : 'ignore', 'pipe'],
  });
  // The last of what it wrote, for the error should it die while starting.
  let tail = '';
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line, stream);
    });
    child[stream]?.on('end', () => {
      if (buffered !== '') options.onLine?.(buffered, stream);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const readyPath = options.readyPath === undefined ? '/readyz' : options.readyPath;
  if (readyPath) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited during start: ${tail}`);
      if (await fetch(`${url}${readyPath}`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`${name} not ready after 60 s: ${tail}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const ended = () =>
    new Promise<void>((resolve) => {
      // Its output is read after it stops (a secrets scan): wait until the pipes are drained,
      // bounded in case a grandchild still holds them.
      child.once('close', () => resolve());
      child.once('exit', () => setTimeout(resolve, 2_000).unref());
    });
  return {
    name,
    child,
    port,
    url,
    opsUrl: `http://127.0.0.1:${opsPort}`,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
    async stop() {
      if (gone()) return;
      const done = ended();
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      await done;
    },
    async kill() {
      if (gone()) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await done;
    },
  };
}
