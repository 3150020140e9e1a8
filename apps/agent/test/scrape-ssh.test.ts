import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fetchRepositoryFile } from '../src/scrape/git.ts';
import { scoped } from './helpers/credentials.ts';
import { createTestRepository, type TestRepository } from './helpers/git-repo.ts';
import { makeSshKey, startSshd, type TestSshd } from './helpers/sshd.ts';

describe('scrape over ssh with a key (a throwaway sshd on 127.0.0.1)', () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-git-ssh-'));
  const cacheDir = join(root, 'cache');
  let sshd: TestSshd;
  let repo: TestRepository;
  let commit: string;
  const plain = makeSshKey(root, 'deploy_key');
  const protectedKey = makeSshKey(root, 'protected_key', 'correct horse battery staple');
  const stranger = makeSshKey(root, 'stranger_key');
  const options = (privateKey: string, passphrase?: string, hosts?: string[]) => ({
    cacheDir,
    credential: scoped({ type: 'ssh_key' as const, privateKey, passphrase }, hosts ?? [`127.0.0.1:${sshd.port}`], 'deploy-ssh'),
    childEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });

  beforeAll(async () => {
    repo = createTestRepository(join(root, 'repos', 'infra'));
    commit = repo.commit({ 'clusters/prod/kustomization.yaml': 'images:\n  - name: nginx\n    newTag: 1.27.1-alpine\n' });
    sshd = await startSshd(join(root, 'sshd'), [plain.publicKey, protectedKey.publicKey]);
  }, 20_000);
  afterAll(async () => {
    await sshd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const file = () => ({ repoUrl: sshd.urlFor(repo.dir), ref: 'main', filePath: 'clusters/prod/kustomization.yaml' });

  it('fetches with a key, trusting the host key on first use and remembering it', async () => {
    const fetched = await fetchRepositoryFile(file(), options(plain.privateKey));
    expect(fetched.commitSha).toBe(commit);
    expect(fetched.text).toContain('newTag: 1.27.1-alpine');
    expect(readFileSync(join(cacheDir, 'known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${sshd.port}`);
  });

  it('fetches with a passphrase-protected key through SSH_ASKPASS', async () => {
    const fetched = await fetchRepositoryFile(file(), options(protectedKey.privateKey, 'correct horse battery staple'));
    expect(fetched.commitSha).toBe(commit);
  });

  it('fails clearly on a wrong passphrase and on a key the server does not know', async () => {
    for (const [key, passphrase] of [
      [protectedKey.privateKey, 'wrong passphrase'],
      [stranger.privateKey, undefined],
    ] as const) {
      const error = (await fetchRepositoryFile(file(), options(key, passphrase)).catch((e: unknown) => e)) as Error & { retryable: boolean };
      expect(error.message).toMatch(/^git could not authenticate to ssh:\/\/.*Permission denied/);
      expect(error.retryable).toBe(false);
      expect(error.message).not.toContain('PRIVATE KEY');
      expect(error.message).not.toContain('wrong passphrase');
    }
  });

  it('deletes the temporary key files afterwards', async () => {
    const keyDirs = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('planekeeper-ssh-')));
    const before = keyDirs();
    await fetchRepositoryFile(file(), options(protectedKey.privateKey, 'correct horse battery staple'));
    await fetchRepositoryFile(file(), options(stranger.privateKey)).catch(() => undefined);
    expect([...keyDirs()].filter((name) => !before.has(name))).toEqual([]);
  });

  it('sends the key only to the ssh hosts its hosts list', async () => {
    await expect(fetchRepositoryFile(file(), options(plain.privateKey, undefined, ['github.com', `127.0.0.1:${sshd.port + 1}`]))).rejects.toMatchObject({
      message: `credential deploy-ssh may not be sent to 127.0.0.1:${sshd.port}: that host is not in the hosts: of agent.credentials.deploy-ssh (github.com, 127.0.0.1:${sshd.port + 1}); the agent refused to send it`,
      retryable: false,
    });
    const fetched = await fetchRepositoryFile(file(), options(plain.privateKey, undefined, [`ssh://127.0.0.1:${sshd.port}${join(root, 'repos')}/`]));
    expect(fetched.commitSha).toBe(commit);
  });
});
