import type { Command } from 'commander';
import { createApiClient, type ApiClient } from './api-client.ts';
import { resolveSettings, type CliEnvironment } from './config.ts';
import { renderData, type Io, type OutputFormat } from './output.ts';

/** What the CLI is given by `main` (tests give their own). */
export interface CliDeps {
  env: CliEnvironment;
  io: Io;
  fetch?: typeof fetch;
  /** The time, for ages in tables. */
  clock?: () => Date;
}

/** What every command action works with. */
export interface CommandContext {
  api: ApiClient;
  io: Io;
  format: OutputFormat;
  now: Date;
}

interface GlobalOptions {
  url?: string;
  apiKey?: string;
  config?: string;
  output: OutputFormat;
}

/** Resolves the settings (flags, environment, file) for `command` and opens the API client. */
export async function contextFor(command: Command, deps: CliDeps): Promise<CommandContext> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const settings = await resolveSettings({ url: options.url, apiKey: options.apiKey, config: options.config }, deps.env, (line) => deps.io.stderr.write(`${line}\n`));
  return { api: createApiClient(settings, deps.fetch), io: deps.io, format: options.output, now: (deps.clock ?? (() => new Date()))() };
}

/** Prints `data` as JSON or YAML, or as the human view `table()` renders. */
export function emit(ctx: CommandContext, data: unknown, table: () => string): void {
  ctx.io.stdout.write(ctx.format === 'table' ? table() : renderData(data, ctx.format));
}
