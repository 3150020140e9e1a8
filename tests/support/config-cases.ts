import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@planekeeper/runtime';
import { ROOT } from './app-process.ts';

/**
 * The variables of an app's config schema, read from its `src/config.ts`: the keys of the zod
 * object passed to parseEnv. Reading the source (the schema itself is not exported) means a new
 * variable is covered without anyone adding it to a list.
 */
export function schemaVariables(app: string): string[] {
  const source = readFileSync(path.join(ROOT, 'apps', app, 'src', 'config.ts'), 'utf8');
  const start = source.indexOf('z.object({');
  if (start === -1) throw new Error(`apps/${app}/src/config.ts has no z.object({ ... }) schema`);
  const names = new Set<string>();
  let depth = 0;
  for (const line of source.slice(start).split('\n')) {
    // Keys sit just inside `z.object({`; deeper brackets belong to their values.
    const key = depth === 2 ? /^\s*([A-Z][A-Z0-9_]*)\s*:/.exec(line)?.[1] : undefined;
    if (key) names.add(key);
    const code = /^\s*(\*|\/\/|\/\*)/.test(line) ? '' : line.replace(/\/\*.*?\*\/|'[^']*'|"[^"]*"|`[^`]*`|\s\/\/.*$/g, '');
    for (const char of code) {
      if (char === '{' || char === '(') depth++;
      if (char === '}' || char === ')') depth--;
    }
    if (depth <= 0) break;
  }
  return [...names];
}

/** The ConfigError `load(env)` throws, or null when the environment is accepted. */
export function configError(load: (env: NodeJS.ProcessEnv) => unknown, env: NodeJS.ProcessEnv): ConfigError | null {
  try {
    load(env);
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** How a process started with a bad environment ended. */
export interface ConfigExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/**
 * Starts `apps/<app>/src/main.ts` with only `env` (and PATH/HOME) and waits for it to exit, at
 * most `timeoutMs`; a process still running then is killed and reported with code null.
 */
export function runWithEnv(app: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ConfigExit> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--conditions=source', path.join(ROOT, 'apps', app, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // 'close', not 'exit': the output pipes may still hold the last lines when the process has exited.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, ms: Date.now() - started });
    });
  });
}

/** Runs `work` over `items`, `concurrency` at a time (the machine's cores are shared). */
export async function inBatches<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}
