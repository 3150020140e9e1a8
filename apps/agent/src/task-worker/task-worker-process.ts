// The agent's task worker: a child process that runs claimed tasks (gathers, scrapes, helm_sync)
// for the agent, several at once. All task code (octokit, got, the Helm reader, git, the
// Kubernetes client, the domain's schemas, re2js) is loaded here, so all of it goes when the
// agent ends this process after a while without tasks. Secrets come with the one task that needs
// them; the agent's API key and GITHUB_TOKEN are not in this process's environment.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@planekeeper/runtime';
import type { Credentials } from '../credentials.ts';
import { createExpressionSandbox, type ExpressionSandbox } from '../sandbox/sandbox.ts';
import { describeFailure } from '../task-error.ts';
import { createTaskRunner } from '../tasks.ts';
import type { FromTaskWorker, TaskWorkerSettings, ToTaskWorker } from './task-worker-protocol.ts';

if (process.send === undefined) throw new Error('task-worker-process.ts runs only as the agent task worker (forked with an IPC channel)');
const send = (message: FromTaskWorker, then?: () => void) => {
  // After the agent has gone (or ended this worker) there is no one left to tell.
  if (process.connected) process.send?.(message, undefined, {}, then);
  else then?.();
};

// The agent died (it ends a worker itself with SIGKILL): nothing left to work for. (A Ctrl-C or
// SIGTERM for the agent does not reach this process group: the agent drains, then ends it.)
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (error) => {
  send({ type: 'crashed', message: error instanceof Error ? error.message : String(error) }, () => process.exit(70));
});

let settings: TaskWorkerSettings | undefined;
let logger: Logger | undefined;
let sandbox: ExpressionSandbox | undefined;
const running = new Map<number, AbortController>();

function configure(given: TaskWorkerSettings): void {
  settings = given;
  // Lines go to the agent's logger, which writes them with its own destination.
  logger = createLogger({
    service: 'agent',
    level: given.logLevel,
    destination: new Writable({
      write(chunk, _encoding, done) {
        send({ type: 'log', line: String(chunk) });
        done();
      },
    }),
  });
  // jq and yq expressions may never return: they run in a worker thread of this process.
  sandbox = createExpressionSandbox();
}

async function run(message: Extract<ToTaskWorker, { type: 'run' }>): Promise<void> {
  const { id, envelope, secrets } = message;
  const abort = new AbortController();
  running.set(id, abort);
  try {
    if (settings === undefined || logger === undefined || sandbox === undefined) throw new Error('the task worker got a task before its settings');
    const jobId = typeof envelope.jobId === 'string' ? envelope.jobId : undefined;
    const credentialName = typeof envelope.credentialName === 'string' ? envelope.credentialName : undefined;
    const credentials: Credentials = new Map(credentialName !== undefined && secrets.credential !== undefined ? [[credentialName, secrets.credential]] : []);
    // The agent keeps the ETags across tasks (and workers); this task sees its own job's.
    const etags = new Map(jobId !== undefined && message.etag !== undefined ? [[jobId, message.etag]] : []);
    const runTask = createTaskRunner({
      capabilities: settings.capabilities,
      credentials,
      sandbox,
      etags,
      githubToken: secrets.githubToken,
      cacheDir: settings.cacheDir,
      childEnv: settings.childEnv,
      userAgent: settings.userAgent,
      logger,
      kube: settings.kube,
    });
    const result = await runTask(envelope, abort.signal);
    send({ type: 'done', id, resultJson: JSON.stringify(result), etag: jobId === undefined ? undefined : etags.get(jobId) });
  } catch (error) {
    send({ type: 'failed', id, failure: describeFailure(error) });
  } finally {
    running.delete(id);
  }
}

process.on('message', (message: ToTaskWorker) => {
  if (message.type === 'settings') configure(message.settings);
  else if (message.type === 'run') void run(message);
  else running.get(message.id)?.abort();
});
