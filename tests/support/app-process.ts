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
  /** Resident set size in MB, from /proc. */
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts one app as a real process from its TypeScript sources (as `pnpm start` runs them) and
 * waits until `/readyz` answers 200 (or not at all, with `readyPath: null`: the agent has none).
 * Its stderr is kept for the error message should it die; `onLine` sees every stdout line.
 */
export async function startApp(
  name: string,
  env: Record<string, string>,
  options: { readyPath?: string | null; onLine?: (line: string) => void } = {},
): Promise<RunningApp> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, ['--conditions=source', path.join(ROOT, 'apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', options.onLine ? 'pipe' : process.env.PK_APP_LOGS ? 'inherit' : 'ignore', 'pipe'],
  });
  if (options.onLine && child.stdout) {
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    });
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const readyPath = options.readyPath === undefined ? '/readyz' : options.readyPath;
  if (readyPath) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited during start: ${stderr}`);
      if (await fetch(`${url}${readyPath}`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`${name} not ready after 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    name,
    child,
    port,
    url,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        // A process already gone (exited, or killed by a signal) has nothing left to stop.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}
