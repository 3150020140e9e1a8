import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDestination } from '../credential-scope.ts';
import type { Credential } from '../credentials.ts';
import { basicAuthorization } from '../http-body.ts';
import { TaskError } from '../task-error.ts';

/** Environment that lets git authenticate, and a cleanup that deletes any temporary key. */
export interface GitAuth {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

const isHttpUrl = (url: string) => /^https?:\/\//i.test(url);

/** Quotes a path for the shell git runs GIT_SSH_COMMAND through. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * How git reaches `repoUrl` with `credential`, without the secret ever on a command line (where
 * `ps` shows it) or in git's output, and only where the credential's hosts allow (for ssh, the
 * ssh host is the scope):
 * - https_pat: an `Authorization: Basic` header through GIT_CONFIG_* variables, with redirects
 *   off: git sends http.extraHeader to whatever host a redirect names;
 * - ssh_key: the key in a 0600 temp file for `ssh -i`, its passphrase (if any) given by a
 *   SSH_ASKPASS script that prints an environment variable; host keys are trusted on first use
 *   and remembered in the cache's known_hosts.
 */
export async function prepareGitAuth(repoUrl: string, credential: Credential | undefined, knownHostsFile: string): Promise<GitAuth> {
  const sshOptions = ['-F /dev/null', '-o IdentityAgent=none', '-o StrictHostKeyChecking=accept-new', `-o UserKnownHostsFile=${shellQuote(knownHostsFile)}`, '-o ConnectTimeout=30'];
  const noCleanup = async () => {};
  if (credential === undefined) {
    return { env: { GIT_SSH_COMMAND: ['ssh', ...sshOptions, '-o BatchMode=yes'].join(' ') }, cleanup: noCleanup };
  }
  if (credential.type === 'registry_basic') {
    throw new TaskError('a registry_basic credential is for OCI registries and Helm repositories; git needs https_pat or ssh_key', { retryable: false });
  }
  if (credential.type === 'https_pat') {
    if (!isHttpUrl(repoUrl)) throw new TaskError('an https_pat credential needs an https:// repository URL', { retryable: false });
    requireDestination(credential.scope, repoUrl);
    return {
      env: {
        GIT_CONFIG_COUNT: '2',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: ${basicAuthorization({ username: credential.username, password: credential.token })}`,
        GIT_CONFIG_KEY_1: 'http.followRedirects',
        GIT_CONFIG_VALUE_1: 'false',
      },
      cleanup: noCleanup,
    };
  }
  if (isHttpUrl(repoUrl)) throw new TaskError('an ssh_key credential needs an ssh:// or git@host:path repository URL', { retryable: false });
  requireDestination(credential.scope, repoUrl);
  const dir = await mkdtemp(join(tmpdir(), 'planekeeper-ssh-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const keyFile = join(dir, 'key');
    await writeFile(keyFile, credential.privateKey, { mode: 0o600 });
    const command = ['ssh', '-i', shellQuote(keyFile), '-o IdentitiesOnly=yes', ...sshOptions];
    if (credential.passphrase === undefined) {
      return { env: { GIT_SSH_COMMAND: [...command, '-o BatchMode=yes'].join(' ') }, cleanup };
    }
    const askpass = join(dir, 'askpass');
    await writeFile(askpass, '#!/bin/sh\nprintf \'%s\\n\' "$PLANEKEEPER_SSH_PASSPHRASE"\n', { mode: 0o700 });
    await chmod(askpass, 0o700);
    return {
      env: {
        GIT_SSH_COMMAND: [...command, '-o NumberOfPasswordPrompts=1'].join(' '),
        SSH_ASKPASS: askpass,
        SSH_ASKPASS_REQUIRE: 'force',
        DISPLAY: 'planekeeper:0',
        PLANEKEEPER_SSH_PASSPHRASE: credential.passphrase,
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
