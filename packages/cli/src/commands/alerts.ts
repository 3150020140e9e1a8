import type { Command } from 'commander';
import { contextFor, emit, type CliDeps } from '../context.ts';
import type { Alert } from '../resources.ts';

export function registerAlertCommands(program: Command, deps: CliDeps): void {
  for (const [verb, path, done, summary] of [
    ['ack', 'acknowledge', 'acknowledged', 'Acknowledge an open alert (cleared when the deployed version changes)'],
    ['unack', 'unacknowledge', 'unacknowledged', 'Withdraw the acknowledgement of an open alert'],
  ] as const) {
    program
      .command(verb)
      .description(verb === 'ack' ? 'Acknowledge an alert' : 'Withdraw an acknowledgement')
      .command('alert')
      .description(summary)
      .argument('<id>', "the alert's id")
      .action(async (id: string, _options: unknown, command: Command) => {
        const ctx = await contextFor(command, deps);
        const alert = await ctx.api.post<Alert>(`/alerts/${encodeURIComponent(id)}/${path}`);
        emit(ctx, alert, () => `alert ${alert.id} ${done}\n`);
      });
  }
}
