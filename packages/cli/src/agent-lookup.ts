import type { ApiClient } from './api-client.ts';
import { ApiError } from './api-client.ts';
import { CliError, EXIT } from './exit-codes.ts';
import type { Agent, Task } from './resources.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Agents, and tasks held at once, are bounded; this only stops a runaway listing. */
const LIST_ALL = 100_000;

/** Every agent of the organization. */
export async function listAllAgents(api: ApiClient): Promise<Agent[]> {
  return (await api.list<Agent>('/agents', {}, LIST_ALL)).items;
}

/**
 * The agent called `nameOrId`. Operators know agents by name (the API lists them by id), so a
 * name is looked up in the list; an id is asked for directly.
 */
export async function findAgent(api: ApiClient, nameOrId: string): Promise<Agent> {
  if (UUID.test(nameOrId)) {
    try {
      return await api.get<Agent>(`/agents/${encodeURIComponent(nameOrId)}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  const agent = (await listAllAgents(api)).find((a) => a.name === nameOrId);
  if (!agent) throw new CliError(`agent "${nameOrId}" not found`, EXIT.notFound);
  return agent;
}

/** The tasks agents hold now (claimed), for the TASKS column and `describe`. */
export async function listRunningTasks(api: ApiClient): Promise<Task[]> {
  return (await api.list<Task>('/tasks', { status: 'claimed' }, LIST_ALL)).items;
}

/**
 * `online`, `stale`, `offline`, with `,draining` when it takes no new work (as kubectl's
 * `Ready,SchedulingDisabled`), `,duplicate_instances` when two processes share it and
 * `,clock_skew` when the server warns of its clock.
 */
export function agentStatus(agent: Agent): string {
  const flags = [typeof agent.status === 'string' ? agent.status : agent.online ? 'online' : 'offline'];
  if (agent.draining && !flags[0]!.includes('draining')) flags.push('draining');
  if (agent.duplicateInstances === true) flags.push('duplicate_instances');
  if (agentWarnings(agent).some((w) => w.startsWith('clock skew'))) flags.push('clock_skew');
  return flags.join(',');
}

/** The warnings the server gives about the agent (none from servers that do not report them). */
export function agentWarnings(agent: Agent): string[] {
  return Array.isArray(agent.warnings) ? agent.warnings.filter((w): w is string => typeof w === 'string') : [];
}
