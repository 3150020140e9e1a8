import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './app-process.ts';

/**
 * An address that stands for "the public internet" inside the namespace: only there is it bound,
 * on the namespace's own loopback device, so nothing outside the test ever reaches it.
 */
export const PUBLIC_ADDRESS = '93.184.216.34';

/** A request or bare connection one of the namespace's receivers saw. */
export interface Hit {
  receiver: 'public' | 'private';
  what: 'request' | 'connection';
  method?: string;
  path?: string;
}

/** An app running in its own network namespace beside a public-looking and a private receiver. */
export interface PublicLookingNetwork {
  child: ChildProcess;
  /** Every stdout and stderr line of the app (and of the launcher). */
  lines: string[];
  hits(): Hit[];
  stop(): Promise<void>;
}

/** Fails with a clear message where the kernel or sandbox forbids unprivileged namespaces. */
function assertNamespacesAvailable(): void {
  const probe = spawnSync('unshare', ['-rnm', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`this test needs unprivileged user, network and mount namespaces (unshare -rnm) and iproute2: ${probe.error?.message ?? probe.stderr}`);
  }
}

/**
 * A unix socket in a fresh folder forwarding to the Postgres of `databaseUrl`, and the URL that
 * reaches it: unix sockets cross network namespaces, TCP on 127.0.0.1 does not.
 */
export async function startPostgresBridge(databaseUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pkpg-'));
  const server: Server = createServer((socket) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(path.join(dir, '.s.PGSQL.5432'), resolve));
  const auth = `${target.username}${target.password ? `:${target.password}` : ''}`;
  return {
    url: `postgres://${auth}@${target.pathname}?host=${encodeURIComponent(dir)}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Starts `apps/<app>/src/main.ts` in new user, network and mount namespaces where `hosts` is
 * /etc/hosts, PUBLIC_ADDRESS is a local address, a receiver answers on PUBLIC_ADDRESS:80 (204 on
 * any path; 307 to the private receiver on /redirect-loopback and /redirect-name, to
 * 169.254.169.254 on /redirect-metadata) and a private receiver listens on 127.0.0.1:privatePort.
 * `env` is the whole environment of the app (plus PATH and HOME).
 */
export async function startInPublicLookingNetwork(options: {
  app: string;
  env: Record<string, string>;
  hosts: Record<string, string[]>;
  privatePort: number;
  readyLine: RegExp;
}): Promise<PublicLookingNetwork> {
  assertNamespacesAvailable();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pk-netns-'));
  const hostsFile = path.join(dir, 'hosts');
  const hitsFile = path.join(dir, 'hits.jsonl');
  const entries = Object.entries(options.hosts).flatMap(([name, addresses]) => addresses.map((address) => `${address} ${name}`));
  writeFileSync(hostsFile, `${['127.0.0.1 localhost', '::1 localhost', ...entries].join('\n')}\n`);
  writeFileSync(hitsFile, '');
  const script = 'mount --bind "$1" /etc/hosts && ip link set lo up && ip addr add "$2/32" dev lo && shift 2 && exec "$@"';
  const child = spawn(
    'unshare',
    [
      '-rnm', 'sh', '-c', script, 'sh', hostsFile, PUBLIC_ADDRESS,
      process.execPath, path.join(ROOT, 'tests', 'support', 'netns-launcher.ts'), hitsFile, PUBLIC_ADDRESS, String(options.privatePort), '--',
      process.execPath, '--conditions=source', path.join(ROOT, 'apps', options.app, 'src', 'main.ts'),
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const deadline = Date.now() + 60_000;
  while (!lines.some((line) => options.readyLine.test(line))) {
    if (child.exitCode !== null) throw new Error(`${options.app} in its namespace exited during start: ${lines.join('\n').slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${options.app} in its namespace not ready after 60 s: ${lines.join('\n').slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    lines,
    hits: () =>
      existsSync(hitsFile)
        ? readFileSync(hitsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Hit)
        : [],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}
