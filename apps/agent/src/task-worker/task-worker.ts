import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '@planekeeper/runtime';
import type { ClaimedTaskEnvelope } from '../api-client.ts';
import type { ScopedToken } from '../credential-scope.ts';
import type { Credentials } from '../credentials.ts';
import type { EtagMemory } from '../gather/github.ts';
import type { RunTaskElsewhere } from '../loop.ts';
import { TaskError } from '../task-error.ts';
import type { FromTaskWorker, TaskSecrets, TaskWorkerSettings, ToTaskWorker } from './task-worker-protocol.ts';

/** Runs claimed tasks in a worker process that ends when the agent has been idle a while. */
export interface TaskWorker {
  /** Runs one task in the worker (starting one if none runs); the loop's runTask. */
  runTask: RunTaskElsewhere;
  /** Workers started so far; the process id of the one running now, if any. */
  stats(): { workersStarted: number; pid: number | undefined };
  /** Ends the worker; tasks still in it fail as retryable. */
  close(): Promise<void>;
}

/** What {@link createTaskWorker} needs. */
export interface TaskWorkerOptions {
  /** Given to each worker; nothing secret. */
  settings: TaskWorkerSettings;
  /** All credentials: each task gets only the one it names. */
  credentials: Credentials;
  /** GITHUB_TOKEN: only GitHub gathers get it. */
  githubToken: ScopedToken | undefined;
  /** ETags per job, kept here so they outlive the worker. */
  etags: EtagMemory;
  logger: Logger;
  /** AGENT_TASK_WORKER_IDLE_SECONDS: how long a worker without tasks is kept for the next one. */
  idleMs: number;
  /** AGENT_TASK_WORKER_MAX_HEAP_MB: the worker's heap limit (V8's old generation). */
  maxHeapMb: number;
  /** The worker's environment: the agent's without its own secrets (default: the agent's). */
  env?: Record<string, string>;
}

interface PendingTask {
  taskId: string;
  jobId: string | undefined;
  resolve(resultJson: string): void;
  reject(error: Error): void;
}

/** One worker process and the tasks it runs; a new one replaces it once it has ended. */
interface Generation {
  child: ChildProcess;
  pending: Map<number, PendingTask>;
  ended: boolean;
  /** The last of what it wrote to stderr (a fatal V8 error says there why it died). */
  stderrTail: string;
  /** What its uncaughtException handler reported before it exited. */
  crash: string | undefined;
}

// Sources run with type stripping (`.ts`), the image runs the build (`.js`).
const WORKER_FILE = new URL(`./task-worker-process${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const STDERR_TAIL_CHARS = 8000;
// A debugger port of the agent's is not the worker's to take.
const INHERITED_FLAG = (flag: string) => !/^--(inspect|debug)/.test(flag);

/**
 * The secrets a task may use: the credential it names (a cluster read names its cluster, which is
 * no credential) and, for a GitHub gather, GITHUB_TOKEN. Nothing else leaves the agent.
 */
export function taskSecrets(envelope: ClaimedTaskEnvelope, credentials: Credentials, githubToken: ScopedToken | undefined): TaskSecrets {
  const secrets: TaskSecrets = {};
  const credential = typeof envelope.credentialName === 'string' ? credentials.get(envelope.credentialName) : undefined;
  if (credential !== undefined) secrets.credential = credential;
  const sourceType = (envelope.spec as { sourceType?: unknown } | null | undefined)?.sourceType;
  if (githubToken !== undefined && envelope.kind === 'gather' && (sourceType === 'github_release' || sourceType === 'github_tag')) secrets.githubToken = githubToken;
  return secrets;
}

/**
 * One worker process runs every task, several at once, so consecutive tasks share its start-up
 * (~200 ms, most of it loading the task code). It ends `idleMs` after its last task, and all the
 * memory the task code took goes with it: a worker thread could not give it all back (bench/README.md).
 * A worker that dies (out of memory, an uncaught exception) fails the tasks it was running with an
 * error saying so; the next task starts a new one. The worker leads its own process group, so git
 * and ssh it started end with it.
 */
export function createTaskWorker(options: TaskWorkerOptions): TaskWorker {
  const { logger, etags } = options;
  let current: Generation | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let nextId = 1;
  let workersStarted = 0;
  let closed = false;

  const clearIdleTimer = () => {
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = null;
  };

  /** Writes a line of the worker's logger with the agent's (its level and fields kept). */
  const relog = (line: string) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, time: _time, service: _service, name: _name, msg, ...fields } = record;
    const method = typeof level === 'string' && LOG_LEVELS.has(level) ? (level as 'info') : 'info';
    logger[method](fields, typeof msg === 'string' ? msg : '');
  };

  const killGroup = (generation: Generation) => {
    try {
      // Negative: the worker's whole process group (detached made it the leader).
      if (generation.child.pid !== undefined) process.kill(-generation.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };

  /** Marks a worker ended, fails the tasks still in it with `failure`, and kills it with its children. */
  const end = (generation: Generation, failure: (count: number) => TaskError): void => {
    if (generation.ended) return;
    generation.ended = true;
    if (current === generation) {
      current = null;
      clearIdleTimer();
    }
    const tasks = [...generation.pending.values()];
    generation.pending.clear();
    if (tasks.length > 0) {
      const error = failure(tasks.length);
      for (const task of tasks) task.reject(error);
    }
    killGroup(generation);
  };

  /** Why a worker that exited on its own died, for each task it was running. */
  const died = (generation: Generation, code: number | null, signal: NodeJS.Signals | null) => (count: number) => {
    const others = count > 1 ? ` (and ${count - 1} other task${count > 2 ? 's' : ''} running with it)` : '';
    if (/JavaScript heap out of memory|Reached heap limit/.test(generation.stderrTail)) {
      // Alone, the task itself took the memory, and would again; beside others, it may not have.
      return new TaskError(
        `the agent's task worker ran out of memory running this task${others}: more than its ${options.maxHeapMb} MB heap (AGENT_TASK_WORKER_MAX_HEAP_MB); the upstream's answer may be hostile, or larger than the agent is set to read`,
        { retryable: count > 1 },
      );
    }
    if (generation.crash !== undefined) return new TaskError(`the agent's task worker crashed running this task${others}: ${generation.crash}`.slice(0, 4000), { retryable: true });
    return new TaskError(`the agent's task worker stopped unexpectedly (${signal ?? `exit code ${code}`}) running this task${others}`, { retryable: true });
  };

  const whenIdle = (generation: Generation) => {
    if (current !== generation || generation.pending.size > 0 || closed) return;
    clearIdleTimer();
    idleTimer = setTimeout(() => {
      if (current !== generation || generation.pending.size > 0) return;
      logger.debug({ idleMs: options.idleMs, pid: generation.child.pid }, 'task worker ended: no task for a while');
      end(generation, () => new TaskError('no task was running', { retryable: true }));
    }, options.idleMs);
    idleTimer.unref();
  };

  const settle = (generation: Generation, id: number, outcome: { resultJson: string; etag: string | undefined } | { error: TaskError }) => {
    const task = generation.pending.get(id);
    if (task === undefined) return;
    generation.pending.delete(id);
    if ('error' in outcome) task.reject(outcome.error);
    else {
      if (task.jobId !== undefined && outcome.etag !== undefined) etags.set(task.jobId, outcome.etag);
      task.resolve(outcome.resultJson);
    }
    whenIdle(generation);
  };

  const onMessage = (generation: Generation, message: FromTaskWorker) => {
    switch (message.type) {
      case 'log':
        return relog(message.line);
      case 'done':
        return settle(generation, message.id, { resultJson: message.resultJson, etag: message.etag });
      case 'failed':
        return settle(generation, message.id, { error: new TaskError(message.failure.message, { retryable: message.failure.retryable }) });
      case 'crashed':
        generation.crash = message.message;
    }
  };

  const startWorker = (): Generation => {
    const child = fork(WORKER_FILE, [], {
      execArgv: [...process.execArgv.filter(INHERITED_FLAG), `--max-old-space-size=${options.maxHeapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      detached: true,
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    workersStarted++;
    const generation: Generation = { child, pending: new Map(), ended: false, stderrTail: '', crash: undefined };
    child.on('message', (message: FromTaskWorker) => onMessage(generation, message));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      generation.stderrTail = (generation.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (error) => {
      logger.error({ err: error }, 'the task worker could not be started or reached');
      end(generation, () => new TaskError(`the agent could not run its task worker: ${error.message}`, { retryable: true }));
    });
    child.on('exit', (code, signal) => {
      if (generation.ended) return;
      const failure = died(generation, code, signal);
      logger.error(
        { taskIds: [...generation.pending.values()].map((task) => task.taskId), exitCode: code, signal, reason: failure(1).message, stderr: generation.stderrTail.slice(-2000) || undefined },
        'the task worker died; its tasks fail, and the next task starts a new one',
      );
      end(generation, failure);
    });
    logger.debug({ pid: child.pid, workersStarted }, 'task worker started');
    child.send({ type: 'settings', settings: options.settings } satisfies ToTaskWorker, () => {});
    return generation;
  };

  return {
    runTask: (envelope, signal) =>
      new Promise<string>((resolve, reject) => {
        if (closed) return reject(new TaskError('the agent is stopping', { retryable: true }));
        clearIdleTimer();
        const generation = current ?? startWorker();
        current = generation;
        const id = nextId++;
        const jobId = typeof envelope.jobId === 'string' ? envelope.jobId : undefined;
        // A worker that died cannot take the message; its exit says why its tasks failed.
        const post = (message: ToTaskWorker) => {
          if (!generation.ended && generation.child.connected) generation.child.send(message, () => {});
        };
        const stop = () => post({ type: 'abort', id });
        const done = () => signal.removeEventListener('abort', stop);
        generation.pending.set(id, {
          taskId: envelope.id,
          jobId,
          resolve: (resultJson) => {
            done();
            resolve(resultJson);
          },
          reject: (error) => {
            done();
            reject(error);
          },
        });
        signal.addEventListener('abort', stop);
        post({ type: 'run', id, envelope, secrets: taskSecrets(envelope, options.credentials, options.githubToken), etag: jobId === undefined ? undefined : etags.get(jobId) });
        if (signal.aborted) stop();
      }),
    stats: () => ({ workersStarted, pid: current?.child.pid }),
    async close() {
      closed = true;
      clearIdleTimer();
      const generation = current;
      if (generation === null) return;
      const exited = generation.child.exitCode !== null || generation.child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => generation.child.once('exit', resolve));
      end(generation, () => new TaskError('the agent is stopping', { retryable: true }));
      await exited;
    },
  };
}
