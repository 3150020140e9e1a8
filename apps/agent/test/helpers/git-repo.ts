import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { requireBinary } from './binaries.ts';

/** A local git repository the tests commit to. */
export interface TestRepository {
  dir: string;
  /** Writes files (and symlinks: `{ symlink: target }`), commits them, returns the commit sha. */
  commit(files: Record<string, string | { symlink: string }>, message?: string): string;
  git(...args: string[]): string;
}

/** `git init` of a repository with branch main in `dir`. */
export function createTestRepository(dir: string): TestRepository {
  requireBinary('git', 'git');
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' },
    }).trim();
  git('init', '--quiet', '--initial-branch=main');
  // Lets the http and ssh servers hand out commits by sha, as GitHub and GitLab do.
  git('config', 'uploadpack.allowReachableSHA1InWant', 'true');
  return {
    dir,
    git,
    commit(files, message = 'update') {
      for (const [path, content] of Object.entries(files)) {
        const full = join(dir, path);
        mkdirSync(dirname(full), { recursive: true });
        if (typeof content === 'string') writeFileSync(full, content);
        else symlinkSync(content.symlink, full);
      }
      git('add', '--all');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

/** Objects in a repository's object database (loose and packed). */
export function countObjects(repositoryDir: string): number {
  const output = execFileSync('git', ['count-objects', '-v'], { cwd: repositoryDir, encoding: 'utf8' });
  const value = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
  return value('count') + value('in-pack');
}
