import type { Command } from 'commander';
import { agentStatus, agentWarnings, findAgent, listRunningTasks } from '../agent-lookup.ts';
import { contextFor, emit, type CliDeps } from '../context.ts';
import { formatAge, renderFields, renderTable, safeText } from '../output.ts';
import type { Agent } from '../resources.ts';

// Shown first, in this order; every other field the API gives follows as it comes.
const LEADING = ['draining', 'duplicateInstances', 'clockSkewSeconds', 'hostname', 'version', 'capabilities', 'credentials', 'maxConcurrentTasks', 'lastHeartbeatAt', 'instanceId', 'health'];
// Said in their own section, after the fields.
const APART = new Set(['online', 'warnings']);

const signedSeconds = (value: unknown) => (typeof value === 'number' ? `${value >= 0 ? '+' : ''}${value.toFixed(1)} s` : '-');

const bytes = (value: unknown) => {
  if (typeof value !== 'number') return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${unit === 0 ? n : n.toFixed(1)} ${units[unit]}`;
};

/** The latest health sample in an operator's units, in a fixed order (the API keeps none). */
function healthFields(health: unknown): Record<string, unknown> | null {
  if (typeof health !== 'object' || health === null) return null;
  const h = health as Record<string, unknown>;
  return {
    cpu: typeof h.cpuPercent === 'number' ? `${h.cpuPercent} %` : '-',
    memoryRss: bytes(h.rssBytes),
    loadAverage: h.loadAverage,
    cacheFree: bytes(h.cacheFreeBytes),
    runningTasks: h.runningTasks,
    sampledAt: h.sampledAt,
  };
}

/** Fields shown in the operator's units instead of as the API gives them. */
const SHOWN_AS: Record<string, (value: unknown) => [string, unknown]> = {
  clockSkewSeconds: (value) => ['clockSkew', signedSeconds(value)],
  health: (value) => ['health', healthFields(value)],
};

export function registerAgentCommands(program: Command, deps: CliDeps): void {
  program
    .command('describe')
    .description('Show everything the API says about one resource')
    .command('agent')
    .description('Show an agent: status, health, version, capabilities and the tasks it runs now')
    .argument('<name>', "the agent's name (or id)")
    .action(async (name: string, _options: unknown, command: Command) => {
      const ctx = await contextFor(command, deps);
      const agent = await findAgent(ctx.api, name);
      const running = (await listRunningTasks(ctx.api)).filter((t) => t.claimedBy === agent.id);
      emit(ctx, { ...agent, runningTasks: running }, () => {
        // `status` folds in `online`, which is left out.
        const ordered: Record<string, unknown> = { name: agent.name, id: agent.id, status: agentStatus(agent), tasks: `${running.length}/${agent.maxConcurrentTasks} running` };
        for (const [key, value] of [...LEADING.map((k) => [k, agent[k]] as const), ...Object.entries(agent)]) {
          const [label, shown] = SHOWN_AS[key]?.(value) ?? [key, value];
          if (!(label in ordered) && key in agent && !APART.has(key)) ordered[label] = shown;
        }
        const warnings = agentWarnings(agent);
        const tasks = running.length
          ? renderTable(
              ['id', 'kind', 'job', 'attempts', 'claimed', 'lease expires'],
              running.map((t) => [t.id, t.kind, t.jobId, String(t.attempts), formatAge(t.claimedAt, ctx.now), formatAge(t.leaseExpiresAt, ctx.now)]),
            ).replace(/^(?=.)/gm, '  ')
          : '  none\n';
        const warned = warnings.length ? `Warnings:\n${warnings.map((w) => `  - ${safeText(w, 300)}\n`).join('')}` : '';
        return `${renderFields(ordered, ctx.now)}${warned}Running tasks:\n${tasks}`;
      });
    });

  for (const action of ['drain', 'uncordon'] as const) {
    program
      .command(action)
      .description(action === 'drain' ? 'Stop giving an agent new tasks; it finishes what it runs' : 'Give a drained agent tasks again')
      .command('agent')
      .description(action === 'drain' ? 'Drain an agent: it finishes the tasks it runs and gets no new ones' : 'Uncordon a drained agent: it gets tasks again')
      .argument('<name>', "the agent's name (or id)")
      .action(async (name: string, _options: unknown, command: Command) => {
        const ctx = await contextFor(command, deps);
        const found = await findAgent(ctx.api, name);
        const agent = await ctx.api.post<Agent>(`/agents/${encodeURIComponent(found.id)}/${action}`);
        if (action === 'uncordon') {
          emit(ctx, agent, () => `agent ${safeText(agent.name)} uncordoned (${agentStatus(agent)})\n`);
          return;
        }
        const running = (await listRunningTasks(ctx.api)).filter((t) => t.claimedBy === agent.id).length;
        emit(ctx, agent, () => `agent ${safeText(agent.name)} drained (${agentStatus(agent)}); ${running} task${running === 1 ? '' : 's'} still running\n`);
      });
  }
}
