import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { closedPort } from './http-server.ts';

/** A throwaway OpenSSH server on a high loopback port, accepting the given client keys. */
export interface TestSshd {
  port: number;
  user: string;
  /** `ssh://user@127.0.0.1:port/<path>` */
  urlFor(path: string): string;
  stop(): Promise<void>;
}

/** An ed25519 key pair made by ssh-keygen (an empty passphrase means none). */
export function makeSshKey(dir: string, name: string, passphrase = ''): { privateKey: string; publicKey: string } {
  const keygen = requireBinary('ssh-keygen', 'openssh-client');
  const file = join(dir, name);
  execFileSync(keygen, ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8') };
}

/** Starts sshd with a temp host key; logins as the current user with `authorizedKeys` only. */
export async function startSshd(dir: string, authorizedKeys: string[]): Promise<TestSshd> {
  const sshd = requireBinary('sshd', 'openssh-server', ['/usr/sbin/sshd']);
  mkdirSync(dir, { recursive: true });
  // sshd running as root insists on its privilege separation directory.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_ed25519');
  execFileSync(requireBinary('ssh-keygen', 'openssh-client'), ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  writeFileSync(join(dir, 'authorized_keys'), authorizedKeys.join(''), { mode: 0o600 });
  const port = await closedPort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'LogLevel ERROR',
  ];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  const child = spawn(sshd, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const user = userInfo().username;
  return {
    port,
    user,
    urlFor: (path) => `ssh://${user}@127.0.0.1:${port}${path}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
