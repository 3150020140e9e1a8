import type { ClaimedTask, GatherResult, HelmSyncResult, ScrapeResult } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { ClaimedTaskEnvelope } from './api-client.ts';
import type { Capability, KubeSettings } from './config.ts';
import type { ScopedToken } from './credential-scope.ts';
import type { Credential, Credentials } from './credentials.ts';
import type { EtagMemory } from './gather/github.ts';
import type { OciLimits } from './gather/oci.ts';
import type { ExpressionSandbox } from './sandbox/sandbox.ts';
import { TaskError } from './task-error.ts';

// Tasks run in the agent's task worker process (task-worker/), never in the agent's own: the
// code of each kind is imported there with the first task that needs it, and goes when the worker
// ends after a while without tasks (bench/memory.ts). A worker that never gets a task of a kind
// never loads its code; within one worker's life, later tasks of a kind pay nothing.

/** What a task produced, in the shape of its kind. */
export type TaskResult = GatherResult | ScrapeResult | HelmSyncResult;

/** What running tasks needs. */
export interface TaskDependencies {
  capabilities: readonly Capability[];
  credentials: Credentials;
  sandbox: ExpressionSandbox;
  etags: EtagMemory;
  githubToken: ScopedToken | undefined;
  cacheDir: string;
  childEnv: Record<string, string>;
  userAgent: string;
  logger: Logger;
  /** The cluster this agent reads (AGENT_KUBE_NAMESPACES), if any. */
  kube?: KubeSettings | undefined;
  /** Overrides for tests. */
  ociLimits?: Partial<OciLimits>;
  gitTimeoutMs?: number;
}

/** Runs one claimed task; throws a TaskError saying why it failed. */
export type RunTask = (task: ClaimedTaskEnvelope, signal: AbortSignal) => Promise<TaskResult>;

/** Checks a claimed task against the protocol's schema; an unreadable spec fails the task for good. */
export async function readClaimedTask(envelope: ClaimedTaskEnvelope): Promise<ClaimedTask> {
  const { claimedTaskSchema } = await import('@planekeeper/domain');
  const parsed = claimedTaskSchema.safeParse(envelope);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new TaskError(`the server sent a task this agent cannot read (${problems}); agent and server versions may differ`, { retryable: false });
}

function credentialOf(task: ClaimedTask, credentials: Credentials): Credential | undefined {
  if (task.credentialName === null) return undefined;
  const credential = credentials.get(task.credentialName);
  if (credential === undefined) {
    throw new TaskError(`credential ${task.credentialName} is not configured on this agent (see AGENT_CONFIG)`, { retryable: false });
  }
  return credential;
}

/**
 * The cluster a kubernetes or helm_release task reads. The task names it as its credential (the
 * claim hands an agent only tasks whose credential it declared), so this agent reads the cluster
 * the job means; anything else is a job for another agent.
 */
function clusterOf(task: ClaimedTask, kube: KubeSettings | undefined): KubeSettings {
  if (kube === undefined) {
    throw new TaskError('this agent reads no cluster (set AGENT_KUBE_NAMESPACES, and AGENT_KUBECONFIG outside a pod)', { retryable: false });
  }
  if (task.credentialName !== kube.cluster) {
    throw new TaskError(`the job names cluster ${task.credentialName ?? '(none)'} as its credentialName; this agent reads cluster ${kube.cluster} (AGENT_KUBE_CLUSTER)`, {
      retryable: false,
    });
  }
  return kube;
}

/** A task runner for the loop: dispatches on the task's kind and source type. */
export function createTaskRunner(deps: TaskDependencies): RunTask {
  return async (envelope, signal) => {
    const task = await readClaimedTask(envelope);
    if (!deps.capabilities.includes(task.kind)) {
      throw new TaskError(`this agent does not run ${task.kind} tasks (AGENT_CAPABILITIES)`, { retryable: false });
    }
    const readsCluster = task.kind === 'scrape' && (task.spec.parser === 'kubernetes' || task.spec.parser === 'helm_release');
    const credential = readsCluster ? undefined : credentialOf(task, deps.credentials);
    const logger = deps.logger.child({ taskId: task.id, jobId: task.jobId, kind: task.kind });
    switch (task.kind) {
      case 'gather': {
        const spec = task.spec;
        // Releases and tags of one GitHub (or GHE) repository: the same token, ETags and limits.
        const github = { jobId: task.jobId, etag: spec.etag, etags: deps.etags, githubToken: deps.githubToken, userAgent: deps.userAgent, logger, signal };
        if (spec.sourceType === 'github_release') {
          const { gatherGithubReleases } = await import('./gather/github.ts');
          return gatherGithubReleases(spec.source, github);
        }
        if (spec.sourceType === 'helm_repo') {
          const { gatherHelmChart } = await import('./gather/helm.ts');
          return gatherHelmChart(spec.source, { credential, signal });
        }
        if (spec.sourceType === 'github_tag') {
          const { gatherGithubTags } = await import('./gather/github-tags.ts');
          return gatherGithubTags(spec.source, github);
        }
        if (spec.sourceType === 'gitlab_release') {
          const { gatherGitlabReleases } = await import('./gather/gitlab.ts');
          return gatherGitlabReleases(spec.source, { credential, signal });
        }
        if (spec.sourceType === 'endoflife') {
          const { gatherEndoflifeCycles } = await import('./gather/endoflife.ts');
          return gatherEndoflifeCycles(spec.source, { etag: spec.etag, userAgent: deps.userAgent, credential, signal });
        }
        const { gatherOciTags } = await import('./gather/oci.ts');
        return gatherOciTags(spec.source, { tagFilter: spec.tagFilter, credential, logger, signal, limits: deps.ociLimits });
      }
      case 'scrape': {
        const { spec } = task;
        if (spec.parser === 'kubernetes') {
          const { readWorkloadVersion } = await import('./kube/workloads.ts');
          return readWorkloadVersion(spec.kubernetes, { settings: clusterOf(task, deps.kube), signal });
        }
        if (spec.parser === 'helm_release') {
          const { readHelmRelease } = await import('./kube/helm-release.ts');
          return readHelmRelease(spec.helmRelease, { settings: clusterOf(task, deps.kube), signal });
        }
        const { fetchRepositoryFile } = await import('./scrape/git.ts');
        const file = await fetchRepositoryFile(spec, {
          cacheDir: deps.cacheDir,
          credential,
          childEnv: deps.childEnv,
          signal,
          timeoutMs: deps.gitTimeoutMs,
        });
        const extracted =
          spec.parser === 'regex'
            ? (await import('./scrape/parsers/regex.ts')).evaluateRegex(file.text, spec.expression)
            : await deps.sandbox.extractVersion(spec.parser, file.text, spec.expression);
        return { version: extracted.version, raw: extracted.raw, commitSha: file.commitSha };
      }
      case 'helm_sync': {
        const { syncHelmRepository } = await import('./helm-sync.ts');
        return syncHelmRepository(task.spec, { credential, signal });
      }
    }
  };
}
