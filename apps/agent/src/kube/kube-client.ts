import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  ResponseContext,
  SelfDecodingBody,
  ServerConfiguration,
  wrapHttpLibrary,
  type HttpLibrary,
} from '@kubernetes/client-node';
import type { KubeSettings } from '../config.ts';
import { errorCode, networkFailure, TaskError } from '../task-error.ts';

/** The API groups a cluster read uses, each bound to the cluster and a task's signal. */
export interface KubeApis {
  apps: AppsV1Api;
  batch: BatchV1Api;
  core: CoreV1Api;
}

/** Largest body of one list page; a page holds at most {@link KUBE_PAGE_SIZE} objects. */
export const KUBE_MAX_PAGE_BYTES = 16 * 1024 * 1024;
/** Objects asked for per list page (the API server pages with `continue`). */
export const KUBE_PAGE_SIZE = 100;

/**
 * Reads the cluster settings: the kubeconfig at AGENT_KUBECONFIG, or the pod's service account.
 * A kubeconfig that does not load fails without quoting it: the file holds tokens and keys, and
 * YAML errors quote the lines around the fault.
 */
export function loadKubeConfig(settings: KubeSettings): KubeConfig {
  const config = new KubeConfig();
  try {
    if (settings.source.kind === 'kubeconfig') config.loadFromFile(settings.source.path);
    else config.loadFromCluster();
  } catch (error) {
    const where = settings.source.kind === 'kubeconfig' ? `AGENT_KUBECONFIG ${settings.source.path}` : 'the in-cluster service account';
    const line = (error as { mark?: { line?: unknown } } | null)?.mark?.line;
    const code = errorCode(error);
    const detail = code !== undefined ? ` (${code})` : typeof line === 'number' ? ` (YAML error on line ${line + 1})` : '';
    throw new TaskError(`${where} could not be loaded as a kubeconfig${detail}`, { retryable: false });
  }
  if (config.getCurrentCluster() === null) {
    throw new TaskError('the kubeconfig names no current cluster (set current-context)', { retryable: false });
  }
  return config;
}

/**
 * The client's fetch, with every answer read within `maxBytes` before it is parsed: the client
 * itself buffers any size, and a broken or hostile API server must not take the agent's memory.
 * A connection dropped mid-answer fails the read instead of yielding a cut-off list.
 */
function boundedHttp(maxBytes: number, signal: AbortSignal | undefined): HttpLibrary {
  const inner = new IsomorphicFetchHttpLibrary();
  return wrapHttpLibrary({
    async send(request) {
      if (signal !== undefined) request.setSignal(signal);
      const response = await inner.send(request).toPromise();
      const stream = response.body.stream() as AsyncIterable<Uint8Array> & { cancel?: () => Promise<void> } | null | undefined;
      const chunks: Buffer[] = [];
      let total = 0;
      if (stream) {
        try {
          for await (const chunk of stream) {
            total += chunk.byteLength;
            if (total > maxBytes) throw new TaskError(`the Kubernetes API sent an answer larger than ${Math.round(maxBytes / 1024 / 1024)} MB`, { retryable: false });
            chunks.push(Buffer.from(chunk));
          }
        } catch (error) {
          await stream.cancel?.().catch(() => {});
          if (error instanceof TaskError) throw error;
          if (signal?.aborted) throw new TaskError('the task was stopped', { retryable: true, cause: error });
          throw new TaskError('the Kubernetes API connection broke before its answer was complete', { retryable: true, cause: error });
        }
      }
      return new ResponseContext(response.httpStatusCode, response.headers, new SelfDecodingBody(Promise.resolve(Buffer.concat(chunks))));
    },
  });
}

/** API clients for the cluster of `config`, reading answers within limits, stopped by `signal`. */
export function createKubeApis(config: KubeConfig, options: { signal?: AbortSignal; maxPageBytes?: number }): KubeApis {
  const cluster = config.getCurrentCluster();
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster?.server ?? '', {}),
    authMethods: { default: config },
    httpApi: boundedHttp(options.maxPageBytes ?? KUBE_MAX_PAGE_BYTES, options.signal),
  });
  return { apps: new AppsV1Api(configuration), batch: new BatchV1Api(configuration), core: new CoreV1Api(configuration) };
}

/**
 * A failed cluster call as a TaskError naming what was read. The API server's own message
 * (a Status object) is kept, bounded: it names the verb, resource and service account, never a
 * token. 403 points at the agent's RBAC; 410 is a list that changed while it was paged.
 */
export function kubeFailure(error: unknown, what: string, signal?: AbortSignal): TaskError {
  if (error instanceof TaskError) return error;
  if (signal?.aborted) return new TaskError('the task was stopped', { retryable: true, cause: error });
  if (error instanceof ApiException) {
    const said = statusMessage(error.body);
    const code = error.code;
    if (code === 401) return new TaskError(`the Kubernetes API refused the agent's credentials (401 Unauthorized) reading ${what}`, { retryable: false });
    if (code === 403) {
      return new TaskError(`the agent may not read ${what} (403 Forbidden${said}); grant its service account list on them in that namespace (infra/base/agent.yaml)`, {
        retryable: false,
      });
    }
    if (code === 404) return new TaskError(`the Kubernetes API has no ${what} (404${said})`, { retryable: false });
    if (code === 410) return new TaskError(`${what} changed while being read page by page (410 Gone); the next run reads them again`, { retryable: true });
    if (code === 429 || code >= 500) return new TaskError(`the Kubernetes API answered ${code} reading ${what}${said}`, { retryable: true });
    // The generated client reports an answer it cannot parse as a 2xx "exception".
    if (code >= 200 && code < 300) return new TaskError(`the Kubernetes API answered ${what} with something that is not a list object (malformed JSON)`, { retryable: true });
    return new TaskError(`the Kubernetes API answered ${code} reading ${what}${said}`, { retryable: false });
  }
  if (error instanceof SyntaxError) return new TaskError(`the Kubernetes API answered ${what} with malformed JSON`, { retryable: true });
  return networkFailure('the Kubernetes API', error);
}

/** `: <message>` of the Status object an API server answers errors with (as text or parsed), bounded. */
function statusMessage(body: unknown): string {
  let status = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      return '';
    }
  }
  const message = (status as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? `: ${message.slice(0, 300)}` : '';
}

/** The namespace a job names, checked against AGENT_KUBE_NAMESPACES. */
export function allowedNamespace(settings: KubeSettings, namespace: string): string {
  if (!settings.namespaces.includes(namespace)) {
    throw new TaskError(`namespace ${namespace} is not one this agent may read (AGENT_KUBE_NAMESPACES: ${settings.namespaces.join(', ')})`, { retryable: false });
  }
  return namespace;
}

/**
 * Every object of a namespaced list, page by page with `limit` and `continue`, at most `maxItems`
 * (a runaway selector fails instead of filling memory).
 */
export async function listAll<T>(
  what: string,
  page: (request: { limit: number; _continue?: string }) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
  options: { maxItems: number; signal?: AbortSignal },
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  do {
    let answer;
    try {
      answer = await page({ limit: KUBE_PAGE_SIZE, ...(next === undefined ? {} : { _continue: next }) });
    } catch (error) {
      throw kubeFailure(error, what, options.signal);
    }
    if (!Array.isArray(answer?.items)) throw new TaskError(`the Kubernetes API answered ${what} without an items list`, { retryable: true });
    items.push(...answer.items);
    if (items.length > options.maxItems) throw new TaskError(`more than ${options.maxItems} ${what} match; narrow the selector`, { retryable: false });
    const token = answer.metadata?._continue;
    next = typeof token === 'string' && token !== '' ? token : undefined;
  } while (next !== undefined);
  return items;
}
