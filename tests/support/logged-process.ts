import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@planekeeper/db';
import { ROOT } from './app-process.ts';

/** Every line a process wrote, stdout and stderr, in order, with the stream it came on. */
export interface LogLine {
  app: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** An app running as a real process whose whole output is kept. */
export interface LoggedApp {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `apps/<name>/src/main.ts` as `pnpm start` runs it and keeps every line of its stdout and
 * stderr in `lines` (unlike startApp, which keeps only the tail of stderr), then waits for
 * `/readyz` (or not, with `readyPath: null`).
 */
export async function startLoggedApp(name: string, env: Record<string, string>, lines: LogLine[], readyPath: string | null = '/readyz'): Promise<LoggedApp> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, ['--conditions=source', path.join(ROOT, 'apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) lines.push({ app: name, stream, line });
    });
    child[stream]?.on('end', () => {
      if (buffered !== '') lines.push({ app: name, stream, line: buffered });
    });
  }
  const url = `http://127.0.0.1:${port}`;
  if (readyPath !== null) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited during start: ${lines.filter((l) => l.app === name).map((l) => l.line).join('\n').slice(-3000)}`);
      if (await fetch(`${url}${readyPath}`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`${name} not ready after 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    name,
    child,
    port,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // The log lines are read after stop (a secrets scan): wait until the pipes are drained,
        // bounded in case a grandchild still holds them.
        child.once('close', () => resolve());
        child.once('exit', () => setTimeout(resolve, 2_000).unref());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** The lines of `lines` that contain any of `secrets`, with which one, for a failure message. */
export function linesWithSecrets(lines: LogLine[], secrets: Record<string, string>): { secret: string; app: string; stream: string; line: string }[] {
  const found: { secret: string; app: string; stream: string; line: string }[] = [];
  for (const entry of lines) {
    for (const [label, secret] of Object.entries(secrets)) {
      if (entry.line.includes(secret)) found.push({ secret: label, app: entry.app, stream: entry.stream, line: entry.line.slice(0, 400) });
    }
  }
  return found;
}
