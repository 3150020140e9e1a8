import { Worker } from 'node:worker_threads';
import type { ExtractedVersion } from '../scrape/parsers/single-value.ts';
import { TaskError } from '../task-error.ts';
import type { SandboxReady, SandboxReply, SandboxRequest } from './sandbox-protocol.ts';

/** Runs user-written expressions with a time, input-size and memory limit, off the main thread. */
export interface ExpressionSandbox {
  /** The version `expression` (jq or yq) reads from a file's `text`. */
  extractVersion(parser: 'yq' | 'jq', text: string, expression: string): Promise<ExtractedVersion>;
  /** Workers started so far: one, plus one per evaluation that was stopped or crashed. */
  stats(): { workersStarted: number };
  close(): Promise<void>;
}

/** Limits of an {@link ExpressionSandbox}. */
export interface SandboxOptions {
  /** Longest one evaluation may run before its worker is replaced (default 5 s). */
  timeoutMs?: number;
  /** Largest file an expression reads (default 1 MB). */
  maxInputBytes?: number;
  /** Heap limit of the worker (default 256 MB). */
  memoryLimitMb?: number;
  /** How long an unused worker is kept warm before it is let go (default 60 s). */
  idleMs?: number;
  /** Longest a new worker may take to load before the evaluation waiting for it fails (default 30 s). */
  startTimeoutMs?: number;
}

type Job = { request: SandboxRequest; label: string; resolve: (reply: SandboxReply & { ok: true }) => void; reject: (error: Error) => void };

// Sources run with type stripping (`.ts`), the image runs the build (`.js`).
const WORKER_FILE = new URL(`./sandbox-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * An expression sandbox with one worker thread, started at the first evaluation and kept warm
 * while evaluations come (a fresh one costs ~65 ms), let go after `idleMs` without any. jq evaluation is
 * synchronous and `def f: f; f` never returns, so an evaluation that overruns its time limit
 * gets its worker terminated and the next one gets a new worker. Evaluations run one at a time;
 * each takes milliseconds. A time limit counts from when the worker has loaded, so a slow start (a busy
 * machine) is not charged to the expression.
 */
export function createExpressionSandbox(options: SandboxOptions = {}): ExpressionSandbox {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxInputBytes = options.maxInputBytes ?? 1024 * 1024;
  const memoryLimitMb = options.memoryLimitMb ?? 256;
  const idleMs = options.idleMs ?? 60_000;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let idleTimer: NodeJS.Timeout | null = null;
  const queue: Job[] = [];
  let worker: Worker | null = null;
  /** Whether `worker` has loaded and said so: until then the current job waits, its time limit not started. */
  let workerReady = false;
  let current: { job: Job; timer: NodeJS.Timeout } | null = null;
  let nextId = 1;
  let closed = false;
  let workersStarted = 0;

  const finish = (outcome: { reply: SandboxReply } | { error: Error }) => {
    if (current === null) return;
    const { job, timer } = current;
    clearTimeout(timer);
    current = null;
    if ('error' in outcome) job.reject(outcome.error);
    else if (outcome.reply.ok) job.resolve(outcome.reply);
    else job.reject(new TaskError(outcome.reply.message, { retryable: false }));
    pump();
  };

  const discardWorker = () => {
    const old = worker;
    worker = null;
    if (old !== null) {
      old.removeAllListeners();
      old.on('error', () => {});
      void old.terminate();
    }
  };

  const startWorker = (): Worker => {
    const started = new Worker(WORKER_FILE, { resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb } });
    workersStarted++;
    workerReady = false;
    started.unref();
    started.on('message', (message: SandboxReply | SandboxReady) => {
      if ('ready' in message) {
        workerReady = true;
        if (current !== null) run(current.job);
      } else if (current !== null && message.id === current.job.request.id) finish({ reply: message });
    });
    started.on('error', (error: Error & { code?: string }) => {
      discardWorker();
      const message =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `used more than ${memoryLimitMb} MB of memory and was stopped` : `crashed: ${error.message}`;
      finish({ error: new TaskError(`${current?.job.label ?? 'expression'} ${message}`, { retryable: false }) });
    });
    started.on('exit', () => {
      if (worker !== started) return;
      worker = null;
      finish({ error: new TaskError(`${current?.job.label ?? 'expression'} stopped its worker`, { retryable: false }) });
    });
    return started;
  };

  function pump(): void {
    if (current !== null || closed) return;
    const job = queue.shift();
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = null;
    if (job === undefined) {
      // Nothing to do: an idle agent need not hold a worker and its jq-wasm (some 16 MB).
      if (worker !== null) {
        idleTimer = setTimeout(discardWorker, idleMs);
        idleTimer.unref();
      }
      return;
    }
    if (worker !== null && workerReady) {
      run(job);
      return;
    }
    worker ??= startWorker();
    const timer = setTimeout(() => {
      discardWorker();
      finish({ error: new TaskError(`the ${job.label} sandbox did not start within ${startTimeoutMs / 1000} s`, { retryable: true }) });
    }, startTimeoutMs);
    current = { job, timer };
  }

  /** Sends `job` to the ready worker and starts its time limit. */
  function run(job: Job): void {
    if (current !== null) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      discardWorker();
      finish({ error: new TaskError(`${job.label} did not finish within ${timeoutMs / 1000} s and was stopped`, { retryable: false }) });
    }, timeoutMs);
    current = { job, timer };
    worker?.postMessage(job.request);
  }

  const submit = (request: SandboxRequest, label: string) =>
    new Promise<SandboxReply & { ok: true }>((resolve, reject) => {
      if (closed) return reject(new TaskError('the agent is stopping', { retryable: true }));
      queue.push({ request, label, resolve, reject });
      pump();
    });

  return {
    async extractVersion(parser, text, expression) {
      const bytes = Buffer.byteLength(text);
      if (bytes > maxInputBytes) {
        throw new TaskError(`file is ${bytes} bytes; files read by a ${parser} expression may be at most ${maxInputBytes} bytes`, { retryable: false });
      }
      const reply = await submit({ id: nextId++, kind: parser, text, expression }, `${parser} expression`);
      return reply.value;
    },
    stats: () => ({ workersStarted }),
    async close() {
      closed = true;
      if (idleTimer !== null) clearTimeout(idleTimer);
      for (const job of queue.splice(0)) job.reject(new TaskError('the agent is stopping', { retryable: true }));
      if (current !== null) finish({ error: new TaskError('the agent is stopping', { retryable: true }) });
      const old = worker;
      worker = null;
      if (old !== null) {
        old.removeAllListeners();
        await old.terminate();
      }
    },
  };
}
