import type { ClaimedTaskEnvelope } from '../api-client.ts';
import type { Capability, KubeSettings } from '../config.ts';
import type { ScopedToken } from '../credential-scope.ts';
import type { Credential } from '../credentials.ts';

// Messages between the agent and its task worker process, over the IPC channel (advanced
// serialization: structured clone). Nothing in the worker's settings is secret.

/** What every task of a worker shares, sent as its first message. */
export interface TaskWorkerSettings {
  capabilities: readonly Capability[];
  cacheDir: string;
  /** Variables git and ssh inherit (PATH, proxies, CA bundles). */
  childEnv: Record<string, string>;
  userAgent: string;
  logLevel: string;
  kube?: KubeSettings | undefined;
}

/** The secrets one task may use, looked up by the main thread: only those it names. */
export interface TaskSecrets {
  /** The credential the task names (credentialName), if the agent has it. */
  credential?: Credential;
  /** GITHUB_TOKEN with its hosts, for GitHub gathers only. */
  githubToken?: ScopedToken;
}

/** Agent to worker. */
export type ToTaskWorker =
  | { type: 'settings'; settings: TaskWorkerSettings }
  | { type: 'run'; id: number; envelope: ClaimedTaskEnvelope; secrets: TaskSecrets; etag: string | undefined }
  | { type: 'abort'; id: number };

/** Worker to agent. */
export type FromTaskWorker =
  /**
   * `resultJson`: the result as JSON text, which the agent reports as it is (a result of 20,000
   * releases never becomes objects in the agent); `etag`: what the ETag memory holds for the
   * task's job afterwards (GitHub gathers).
   */
  | { type: 'done'; id: number; resultJson: string; etag: string | undefined }
  | { type: 'failed'; id: number; failure: { message: string; retryable: boolean } }
  /** One JSON line of the worker's logger, for the agent's logger to write. */
  | { type: 'log'; line: string }
  /** An exception nothing caught: the worker says what it was, then exits. */
  | { type: 'crashed'; message: string };
