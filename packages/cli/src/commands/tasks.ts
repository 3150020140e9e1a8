import type { Command } from 'commander';
import { contextFor, emit, type CliDeps } from '../context.ts';
import type { Task } from '../resources.ts';

export function registerTaskCommands(program: Command, deps: CliDeps): void {
  program
    .command('retry')
    .description('Run failed work again')
    .command('task')
    .description('Retry a failed task: a new pending task of the same job runs with its current settings (exit 5 when the task did not fail or the job already has an open task)')
    .argument('<id>', "the failed task's id")
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = await contextFor(command, deps);
      const task = await ctx.api.post<Task>(`/tasks/${encodeURIComponent(id)}/retry`);
      emit(ctx, task, () => `task ${id} retried as task ${task.id} (${task.status})\n`);
    });
}
