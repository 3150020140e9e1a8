import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gitRefSchema, gitUrlProblem, repoFilePathProblem } from '@planekeeper/domain';
import type { Credential } from '../credentials.ts';
import { TaskError } from '../task-error.ts';
import { prepareGitAuth } from './git-auth.ts';

/** What to read: one file at a ref (null = the default branch) of a repository. */
export interface RepositoryFile {
  repoUrl: string;
  ref: string | null;
  filePath: string;
}

/** Options of {@link fetchRepositoryFile}. */
export interface GitFetchOptions {
  /** AGENT_CACHE_DIR: repositories are kept below `<cacheDir>/git`. */
  cacheDir: string;
  credential?: Credential | undefined;
  /** PATH, proxies, CA bundles. */
  childEnv: Record<string, string>;
  maxFileBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A file read from a repository at a commit. */
export interface FetchedFile {
  text: string;
  commitSha: string;
  /** The cached bare repository it was read from. */
  repositoryDir: string;
}

// One git operation per cached repository at a time: concurrent fetches fight over the shallow file.
const repositoryLocks = new Map<string, Promise<unknown>>();

async function withRepositoryLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const previous = repositoryLocks.get(dir) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => {});
  repositoryLocks.set(dir, tail);
  try {
    return await run;
  } finally {
    if (repositoryLocks.get(dir) === tail) repositoryLocks.delete(dir);
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Reads one file of a repository with the git CLI: a bare repository cached per URL under the
 * cache dir, a shallow fetch (`--depth 1`) of just the ref, so the first run downloads one
 * commit's tree and later runs only what changed. The file is read from git's object database,
 * never checked out, and refused when its path or any parent is a symbolic link.
 */
export async function fetchRepositoryFile(file: RepositoryFile, options: GitFetchOptions): Promise<FetchedFile> {
  const urlProblem = gitUrlProblem(file.repoUrl);
  if (urlProblem !== null) throw new TaskError(`repoUrl ${urlProblem}`, { retryable: false });
  const pathProblem = repoFilePathProblem(file.filePath);
  if (pathProblem !== null) throw new TaskError(`filePath ${pathProblem}; refusing to read outside the repository`, { retryable: false });
  const ref = file.ref ?? 'HEAD';
  if (ref !== 'HEAD' && !gitRefSchema.safeParse(ref).success) throw new TaskError(`ref ${JSON.stringify(ref)} is not a branch, tag or commit name`, { retryable: false });
  const filePath = posix.normalize(file.filePath.trim());
  const repositoryDir = join(options.cacheDir, 'git', sha256(file.repoUrl).slice(0, 32));
  const localRef = `refs/planekeeper/${sha256(ref).slice(0, 16)}`;
  const maxFileBytes = options.maxFileBytes ?? 1024 * 1024;

  return withRepositoryLock(repositoryDir, async () => {
    const git = (args: string[], extraEnv: Record<string, string> = {}, maxBuffer = 1024 * 1024) =>
      runGit(args, { cwd: repositoryDir, env: { ...baseEnv(options.childEnv), ...extraEnv }, timeoutMs: options.timeoutMs ?? 120_000, signal: options.signal, maxBuffer });
    if (!existsSync(join(repositoryDir, 'HEAD'))) {
      await mkdir(repositoryDir, { recursive: true });
      await git(['init', '--bare', '--quiet']);
    }
    const auth = await prepareGitAuth(file.repoUrl, options.credential, join(options.cacheDir, 'known_hosts'));
    try {
      await git(['fetch', '--depth', '1', '--no-tags', '--quiet', '--no-write-fetch-head', '--', file.repoUrl, `+${ref}:${localRef}`], auth.env);
    } catch (error) {
      throw describeGitFailure(error, file.repoUrl, ref);
    } finally {
      await auth.cleanup();
    }
    const commitSha = (await git(['rev-parse', '--verify', `${localRef}^{commit}`])).stdout.toString().trim();
    const entry = await readTreeEntry(git, localRef, filePath, ref, commitSha);
    if (entry.size > maxFileBytes) {
      throw new TaskError(`${filePath} is ${entry.size} bytes; files read by a scrape may be at most ${maxFileBytes} bytes`, { retryable: false });
    }
    const blob = await git(['cat-file', 'blob', entry.sha], {}, maxFileBytes + 1);
    return { text: blob.stdout.toString('utf8'), commitSha, repositoryDir };
  });
}

type Git = (args: string[]) => Promise<{ stdout: Buffer; stderr: string }>;

/** The blob at `filePath`, after checking that neither it nor a parent directory is a symlink. */
async function readTreeEntry(git: Git, localRef: string, filePath: string, ref: string, commitSha: string): Promise<{ sha: string; size: number }> {
  const parts = filePath.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  const listing = (await git(['ls-tree', '-l', '-z', localRef, '--', ...prefixes])).stdout.toString('utf8');
  const entries = new Map<string, { mode: string; type: string; sha: string; size: string }>();
  for (const record of listing.split('\0')) {
    const match = /^(\d+) (\w+) ([0-9a-f]+)\s+(\S+)\t(.*)$/s.exec(record);
    if (match !== null) entries.set(match[5] as string, { mode: match[1] as string, type: match[2] as string, sha: match[3] as string, size: match[4] as string });
  }
  for (const prefix of prefixes) {
    if (entries.get(prefix)?.mode === '120000') {
      throw new TaskError(`${prefix} is a symbolic link in the repository; refusing to follow it (it may point outside the repository)`, { retryable: false });
    }
  }
  const entry = entries.get(filePath);
  if (entry === undefined) throw new TaskError(`${filePath} does not exist at ${ref} (commit ${commitSha.slice(0, 12)})`, { retryable: false });
  if (entry.type !== 'blob') throw new TaskError(`${filePath} is a ${entry.type === 'tree' ? 'directory' : entry.type}, not a file`, { retryable: false });
  return { sha: entry.sha, size: Number(entry.size) };
}

function baseEnv(childEnv: Record<string, string>): Record<string, string> {
  return {
    ...childEnv,
    // Hermetic: no user or system git config, never a prompt, English messages to classify.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    // ext:: and file:// would run commands or read the agent's disk.
    GIT_ALLOW_PROTOCOL: 'http:https:ssh',
    LC_ALL: 'C',
  };
}

interface GitRunError extends Error {
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

/** Runs git without a shell; the arguments are never interpreted. */
function runGit(
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number; signal?: AbortSignal; maxBuffer: number },
): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, killSignal: 'SIGKILL', signal: options.signal, maxBuffer: options.maxBuffer, encoding: 'buffer' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, stderr: stderr.toString('utf8') });
        const failure = error as unknown as GitRunError & { killed?: boolean; code?: unknown };
        if (failure.code === 'ENOENT') return reject(new TaskError('git is not installed on this agent', { retryable: false }));
        failure.stderr = stderr.toString('utf8');
        failure.aborted = options.signal?.aborted === true;
        failure.timedOut = failure.killed === true && !failure.aborted;
        reject(failure);
      },
    );
  });
}

const redactUserinfo = (text: string) => text.replace(/(\w+:\/\/)[^@\s/]+@/g, '$1');

/** A failed fetch as a TaskError whose message says what went wrong and whether to retry. */
function describeGitFailure(error: unknown, repoUrl: string, ref: string): TaskError {
  if (error instanceof TaskError) return error;
  const failure = error as Partial<GitRunError>;
  const where = redactUserinfo(repoUrl);
  if (failure.aborted) return new TaskError('the task was stopped', { retryable: true });
  if (failure.timedOut) return new TaskError(`git fetch of ${where} did not finish in time and was stopped`, { retryable: true });
  const stderr = redactUserinfo(failure.stderr ?? '');
  const detail = stderr
    .split('\n')
    .map((line) => line.replace(/^(fatal|error|remote): /, '').trim())
    .filter((line) => line !== '' && !line.startsWith('warning:'))
    .join('; ')
    .slice(0, 500);
  const says = (pattern: RegExp) => pattern.test(stderr);
  // Only fetches with an https_pat turn redirects off (see git-auth.ts).
  if (says(/returned error: 30[12378]\b/)) {
    return new TaskError(`the repository at ${where} redirects elsewhere; the agent follows no redirect with a credential: set repoUrl to where the repository is now (${detail})`, {
      retryable: false,
    });
  }
  if (says(/couldn't find remote ref|not our ref|unadvertised object|no such remote ref/i)) {
    return new TaskError(`ref ${ref} not found in ${where}: ${detail}`, { retryable: false });
  }
  if (says(/Authentication failed|could not read (Username|Password)|Permission denied|HTTP Basic: Access denied|returned error: 40[13]|incorrect passphrase|Host key verification failed/i)) {
    return new TaskError(`git could not authenticate to ${where}: ${detail}`, { retryable: false });
  }
  if (says(/Repository not found|does not appear to be a git repository|returned error: 404|not found/i)) {
    return new TaskError(`repository ${where} not found: ${detail}`, { retryable: false });
  }
  return new TaskError(`git fetch of ${where} failed: ${detail || failure.message || 'unknown error'}`, { retryable: true });
}
