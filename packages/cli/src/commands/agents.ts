import type { Command } from 'commander';
import { agentStatus, findAgent, listRunningTasks } from '../agent-lookup.ts';
import { contextFor, emit, type CliDeps } from '../context.ts';
import { formatAge, renderFields, renderTable, safeText } from '../output.ts';
import type { Agent } from '../resources.ts';

// Shown first, in this order; every other field the API gives follows as it comes.
const LEADING = ['draining', 'hostname', 'version', 'capabilities', 'credentials', 'maxConcurrentTasks', 'lastHeartbeatAt'];

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
          if (!(key in ordered) && key in agent && key !== 'online') ordered[key] = value;
        }
        const tasks = running.length
          ? renderTable(
              ['id', 'kind', 'job', 'attempts', 'claimed', 'lease expires'],
              running.map((t) => [t.id, t.kind, t.jobId, String(t.attempts), formatAge(t.claimedAt, ctx.now), formatAge(t.leaseExpiresAt, ctx.now)]),
            ).replace(/^(?=.)/gm, '  ')
          : '  none\n';
        return `${renderFields(ordered, ctx.now)}Running tasks:\n${tasks}`;
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
