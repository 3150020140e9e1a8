/* eslint-disable @typescript-eslint/no-explicit-any -- protocol answers are asserted field by field */

/** A task as the claim answers it (DESIGN section 9). */
export interface ClaimedTask {
  id: string;
  kind: string;
  jobId: string;
  leaseToken: string;
  leaseExpiresAt: string;
  credentialName: string | null;
  spec: any;
}

/**
 * The agent protocol spoken from the test over real HTTP, for simulated agents: a heartbeat
 * registers it, claims long-poll, results and failures carry the lease token. Nothing here
 * knows the server's internals; answers are returned as they came.
 */
export interface ProtocolAgent {
  name: string;
  agentId: string | null;
  heartbeat(signal?: AbortSignal): Promise<string>;
  claim(max: number, wait: number, signal?: AbortSignal): Promise<ClaimedTask[]>;
  result(taskId: string, leaseToken: string, result: unknown, signal?: AbortSignal): Promise<{ status: number; body: any }>;
  failure(taskId: string, leaseToken: string, message: string, signal?: AbortSignal): Promise<{ status: number; body: any }>;
  lease(taskId: string, leaseToken: string, signal?: AbortSignal): Promise<{ status: number; body: any }>;
}

export function createProtocolAgent(options: { apiUrl: string; key: string; name: string; capabilities?: string[]; maxConcurrentTasks?: number }): ProtocolAgent {
  const post = async (route: string, body: unknown, signal?: AbortSignal) => {
    const response = await fetch(`${options.apiUrl}/api/v1/agent${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const agent: ProtocolAgent = {
    name: options.name,
    agentId: null,
    async heartbeat(signal) {
      const answer = await post('/heartbeat', {
        name: options.name,
        version: 'simulated-1.0.0',
        hostname: `sim-${options.name}`,
        capabilities: options.capabilities ?? ['gather', 'scrape', 'helm_sync'],
        credentials: [],
        maxConcurrentTasks: options.maxConcurrentTasks ?? 10,
      }, signal);
      if (answer.status !== 200) throw new Error(`heartbeat of ${options.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      agent.agentId = answer.body.agentId as string;
      return agent.agentId;
    },
    async claim(max, wait, signal) {
      if (!agent.agentId) await agent.heartbeat(signal);
      const answer = await post('/tasks/claim', { agentId: agent.agentId, max, wait }, signal);
      if (answer.status === 204) return [];
      if (answer.status !== 200) throw new Error(`claim of ${options.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.tasks as ClaimedTask[];
    },
    result: (taskId, leaseToken, result, signal) => post(`/tasks/${taskId}/result`, { leaseToken, result }, signal),
    failure: (taskId, leaseToken, message, signal) => post(`/tasks/${taskId}/failure`, { leaseToken, error: { message, retryable: true } }, signal),
    lease: (taskId, leaseToken, signal) => post(`/tasks/${taskId}/lease`, { leaseToken }, signal),
  };
  return agent;
}

/** A gather result listing `tags` (oldest first), published a day apart up to now. */
export function gatherResult(tags: string[]): { releases: { tag: string; publishedAt: string; prerelease: boolean; url: string }[] } {
  const now = Date.now();
  return {
    releases: tags.map((tag, i) => ({
      tag,
      publishedAt: new Date(now - (tags.length - i) * 86_400_000).toISOString(),
      prerelease: false,
      url: `https://github.com/acme/widget/releases/tag/${tag}`,
    })),
  };
}
