import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AgentDiagnostics, AgentDiagnosticsResponse, AgentEnroll, AgentEnrolledResponse, AgentHeartbeat, AgentHeartbeatResponse, ProbeResultBody, TaskClaim, TaskFailureBody } from '@planekeeper/domain';
import { errorCode } from './task-error.ts';

/**
 * How a call to the agent API failed:
 * - `unavailable`: no answer, a timeout, 5xx or 429: retry with backoff;
 * - `unauthorized`: 401, the API key is wrong or revoked;
 * - `conflict`: 409, the lease is no longer this agent's;
 * - `rejected`: any other 4xx (a bug or a version mismatch; retrying the same call will not help).
 */
export type AgentApiErrorKind = 'unavailable' | 'unauthorized' | 'conflict' | 'rejected';

/** A failed agent API call. */
export class AgentApiError extends Error {
  readonly kind: AgentApiErrorKind;
  readonly status: number | undefined;
  /** The server's own error message, when it sent one. */
  readonly serverMessage: string | undefined;
  constructor(kind: AgentApiErrorKind, message: string, status?: number, serverMessage?: string) {
    super(message);
    this.name = 'AgentApiError';
    this.kind = kind;
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/** A task as claimed, before its spec is checked against the task kind. */
export interface ClaimedTaskEnvelope {
  id: string;
  kind: string;
  leaseToken: string;
  leaseExpiresAt: string;
  [field: string]: unknown;
}

/** The agent protocol of DESIGN.md section 9, spoken to `AGENT_SERVER_URL`. */
export interface AgentApi {
  heartbeat(body: AgentHeartbeat): Promise<AgentHeartbeatResponse>;
  /** Claimed tasks; empty when the server answered 204 (nothing within `wait` seconds). */
  claimTasks(body: TaskClaim, signal?: AbortSignal): Promise<ClaimedTaskEnvelope[]>;
  renewLease(taskId: string, leaseToken: string): Promise<{ leaseExpiresAt: string }>;
  /** Reports a result already serialized (`resultJson`, a TaskResultBody's `result` as JSON text). */
  reportResult(taskId: string, leaseToken: string, resultJson: string): Promise<void>;
  reportFailure(taskId: string, body: TaskFailureBody): Promise<void>;
  /** Trades the enrollment token this client was made with (as its key) for an agent key. */
  enroll(body: Omit<AgentEnroll, 'token'>): Promise<AgentEnrolledResponse>;
  /** Reports the effective configuration; answers the probes waiting for this agent. */
  diagnostics(body: AgentDiagnostics): Promise<AgentDiagnosticsResponse>;
  reportProbe(probeId: string, body: ProbeResultBody): Promise<void>;
  /** Closes the kept-alive connections to the server. */
  close(): void;
}

/** Options of {@link createAgentApi}. */
export interface AgentApiOptions {
  /** Ends in /api/v1/agent. */
  serverUrl: string;
  apiKey: string;
  userAgent: string;
  /** Timeout of calls other than a claim (a claim gets its wait on top). */
  requestTimeoutMs?: number;
}

class RequestTimeout extends Error {}

/** A request body that is JSON text already. */
class SerializedBody {
  readonly json: string;
  constructor(json: string) {
    this.json = json;
  }
}

/**
 * An HTTP client of the agent API (node:http, JSON bodies, bearer key, no automatic retries).
 * Not got: an idle agent spends its life in these calls, and loading got with its dependencies
 * for them cost some 10 MB of its resident memory (bench/memory.ts) for features they do not use
 * (retries, redirects, decompression). Gathers still use got, loaded with their first task.
 */
export function createAgentApi(options: AgentApiOptions): AgentApi {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  // One kept-alive connection serves claim after claim; stop() closes it.
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  const send = (url: URL, payload: string, timeoutMs: number, signal: AbortSignal | undefined) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const https = url.protocol === 'https:';
      const headers = {
        authorization: `Bearer ${options.apiKey}`,
        'user-agent': options.userAgent,
        accept: 'application/json',
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      };
      const request = (https ? httpsRequest : httpRequest)(url, { method: 'POST', agent: https ? agents.https : agents.http, signal, headers });
      // The whole exchange is bounded, not only a silent socket: a server that trickles its answer
      // must not hold a heartbeat forever. The timeout settles the call before the connection is
      // torn down, so it is what the caller hears, not the reset that follows.
      const timer = setTimeout(() => {
        fail(new RequestTimeout());
        request.destroy();
      }, timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      request.on('error', fail);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('close', () => {
          if (!response.complete) fail(new Error('the connection closed before the answer was complete'));
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(payload);
    });

  // `body` is serialized here, unless it comes as JSON text already (a SerializedBody).
  const post = async (path: string, body: unknown, extra: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ status: number; json: unknown }> => {
    const payload = body instanceof SerializedBody ? body.json : JSON.stringify(body);
    let response;
    try {
      response = await send(new URL(`${options.serverUrl}${path}`), payload, extra.timeoutMs ?? requestTimeoutMs, extra.signal);
    } catch (error) {
      if (error instanceof RequestTimeout) throw new AgentApiError('unavailable', `the server did not answer ${path} in time`);
      const code = errorCode(error);
      throw new AgentApiError('unavailable', `could not reach the server for ${path}: ${code ?? (error instanceof Error ? error.message : String(error))}`);
    }
    const { status } = response;
    let json: unknown = undefined;
    if (response.body !== '') {
      try {
        json = JSON.parse(response.body);
      } catch {
        json = undefined;
      }
    }
    if (status >= 200 && status < 300) return { status, json };
    const serverMessage = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
    const said = typeof serverMessage === 'string' ? `: ${serverMessage}` : '';
    const message = typeof serverMessage === 'string' ? serverMessage.slice(0, 500) : undefined;
    if (status === 401) throw new AgentApiError('unauthorized', `the server refused AGENT_API_KEY (401)${said}`, status, message);
    if (status === 409) throw new AgentApiError('conflict', `the server says this lease is no longer valid (409)${said}`, status, message);
    if (status === 429 || status >= 500) throw new AgentApiError('unavailable', `the server answered ${status} for ${path}${said}`, status, message);
    if (status >= 300 && status < 400) {
      throw new AgentApiError('rejected', `the server redirected ${path} to ${String(response.headers.location)}; set AGENT_SERVER_URL to the final URL`, status);
    }
    throw new AgentApiError('rejected', `the server answered ${status} for ${path}${said}`, status, message);
  };

  const expectObject = (json: unknown, path: string): Record<string, unknown> => {
    if (json === null || typeof json !== 'object') throw new AgentApiError('rejected', `the server answered ${path} without a JSON object`);
    return json as Record<string, unknown>;
  };

  return {
    async heartbeat(body) {
      const { json } = await post('/heartbeat', body);
      const answer = expectObject(json, '/heartbeat');
      if (typeof answer.agentId !== 'string') throw new AgentApiError('rejected', 'the server answered /heartbeat without an agentId');
      return answer as unknown as AgentHeartbeatResponse;
    },
    async claimTasks(body, signal) {
      const { status, json } = await post('/tasks/claim', body, { timeoutMs: body.wait * 1000 + requestTimeoutMs, signal });
      if (status === 204) return [];
      const tasks = expectObject(json, '/tasks/claim').tasks;
      if (!Array.isArray(tasks)) throw new AgentApiError('rejected', 'the server answered /tasks/claim without a tasks list');
      return tasks.filter(
        (task): task is ClaimedTaskEnvelope =>
          typeof task === 'object' && task !== null && typeof task.id === 'string' && typeof task.leaseToken === 'string' && typeof task.kind === 'string',
      );
    },
    async renewLease(taskId, leaseToken) {
      const { json } = await post(`/tasks/${encodeURIComponent(taskId)}/lease`, { leaseToken });
      const answer = expectObject(json, '/tasks/:id/lease');
      if (typeof answer.leaseExpiresAt !== 'string') throw new AgentApiError('rejected', 'the server answered a lease renewal without leaseExpiresAt');
      return { leaseExpiresAt: answer.leaseExpiresAt };
    },
    async reportResult(taskId, leaseToken, resultJson) {
      await post(`/tasks/${encodeURIComponent(taskId)}/result`, new SerializedBody(`{"leaseToken":${JSON.stringify(leaseToken)},"result":${resultJson}}`));
    },
    async reportFailure(taskId, body) {
      await post(`/tasks/${encodeURIComponent(taskId)}/failure`, body);
    },
    async enroll(body) {
      const { json } = await post('/enroll', body);
      const answer = expectObject(json, '/enroll');
      if (typeof answer.key !== 'string' || typeof answer.agentId !== 'string') throw new AgentApiError('rejected', 'the server answered /enroll without a key');
      return answer as unknown as AgentEnrolledResponse;
    },
    async diagnostics(body) {
      const { json } = await post('/diagnostics', body);
      const probes = expectObject(json, '/diagnostics').probes;
      if (!Array.isArray(probes)) throw new AgentApiError('rejected', 'the server answered /diagnostics without a probes list');
      return { probes: probes.filter((p): p is AgentDiagnosticsResponse['probes'][number] => typeof p?.id === 'string' && typeof p?.target?.host === 'string' && typeof p?.target?.port === 'number') };
    },
    async reportProbe(probeId, body) {
      await post(`/probes/${encodeURIComponent(probeId)}/result`, body);
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
