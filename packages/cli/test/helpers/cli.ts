import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTenant, startApi, type ApiUnderTest, type Tenant } from '../../../../apps/api/test/helpers/api-server.ts';

export { client } from '../../../../apps/api/test/helpers/api-server.ts';
export type { ApiUnderTest, Tenant };

const BIN = fileURLToPath(new URL('../../bin/planekeeper.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `planekeeper ...args` as a real process, as an operator would: node and the bin, a home of
 * its own (so no real config file is read), and only the environment given (no NODE_OPTIONS
 * from jest). Resolves when it exits.
 */
export function planekeeper(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? tmpdir(), XDG_CONFIG_HOME: env.XDG_CONFIG_HOME ?? join(env.HOME ?? tmpdir(), 'no-config-here'), ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The real api with a fresh database for this test file, and one organization with a key per role. */
export interface CliWorld {
  api: ApiUnderTest;
  tenant: Tenant;
  /** The environment that points the CLI at the api with the key of `role` (admin by default). */
  env(role?: keyof Tenant['keys']): Record<string, string>;
  stop(): Promise<void>;
}

export async function startCliWorld(apiEnv: Record<string, string> = {}): Promise<CliWorld> {
  const api = await startApi(apiEnv);
  const tenant = await makeTenant(api, 'Acme');
  return {
    api,
    tenant,
    env: (role = 'admin') => ({ PLANEKEEPER_URL: api.url, PLANEKEEPER_API_KEY: tenant.keys[role] }),
    stop: () => api.stop(),
  };
}

/** A fresh empty directory to use as a home (config files, permissions). */
export function freshHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'planekeeper-cli-'));
}

/** Columns of a printed table as records keyed by header (headers are single words or 'LAST SEEN' style pairs). */
export function tableRows(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.trimEnd().split('\n');
  if (!header) return [];
  // Column starts: where each header begins (headers are separated by 3+ spaces).
  const starts = [...header.matchAll(/(?:^|\s{3,})(\S+(?: \S+)*)/g)].map((m) => ({ name: m[1]!, at: m.index! + m[0].length - m[1]!.length }));
  return lines.map((line) =>
    Object.fromEntries(starts.map((col, i) => [col.name, line.slice(col.at, starts[i + 1]?.at).trim()])),
  );
}
