import { Command, CommanderError, Option } from 'commander';
import { ApiError } from './api-client.ts';
import { registerAgentCommands } from './commands/agents.ts';
import { registerAlertCommands } from './commands/alerts.ts';
import { registerCreate } from './commands/create.ts';
import { registerGet } from './commands/get.ts';
import { registerTaskCommands } from './commands/tasks.ts';
import { readEnvironment, type CliEnvironment } from './config.ts';
import type { CliDeps } from './context.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { OUTPUT_FORMATS, safeText } from './output.ts';

const EXIT_HELP = `
Settings: flags override the environment, which overrides the config file.
  PLANEKEEPER_URL        the server, e.g. https://planekeeper.example.com
  PLANEKEEPER_API_KEY    an API key (pk_...)
  PLANEKEEPER_CONFIG     the config file (default ~/.config/planekeeper/config.yaml,
                         a YAML mapping of url and apiKey; keep it mode 0600)

Exit codes:
  0  done
  1  the API failed (5xx, rate limited) or could not be reached
  2  usage: a bad command, flag or setting, or input the API refused (400)
  3  not found
  4  unauthorized or forbidden: a missing, unknown or revoked key, or a role that may not
  5  conflict: e.g. retrying a task that did not fail

Examples:
  planekeeper get agents
  planekeeper describe agent site-west-1
  planekeeper drain agent site-west-1
  planekeeper get tasks --status failed -o json
  planekeeper retry task 5b0c1f0e-8f0a-4a43-9d1e-2f7f3c1d2a10
  planekeeper create enrollment-token --name site-west --max-uses 1 --expires 1h`;

/** The command tree; `deps` reach every action. */
export function buildProgram(deps: CliDeps): Command {
  const program = new Command('planekeeper')
    .description('Operate Planekeeper through its REST API: agents, tasks, alerts, jobs, keys and enrollment tokens.')
    // Set before any subcommand is added: subcommands copy these settings when they are made.
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.io.stdout.write(text), writeErr: (text) => deps.io.stderr.write(text) })
    .configureHelp({ showGlobalOptions: true })
    .option('--config <path>', 'config file (YAML: url, apiKey)')
    .option('--url <url>', 'server URL (overrides PLANEKEEPER_URL)')
    .option('--api-key <key>', 'API key (overrides PLANEKEEPER_API_KEY; prefer the variable: other users can see arguments)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .addHelpText('after', EXIT_HELP);
  registerGet(program, deps);
  registerAgentCommands(program, deps);
  registerTaskCommands(program, deps);
  registerCreate(program, deps);
  registerAlertCommands(program, deps);
  return program;
}

/** One line for an error: the API's `code: message`, with the details its message does not name. */
function errorLine(error: unknown): string {
  if (!(error instanceof ApiError)) return safeText(`error: ${error instanceof Error ? error.message : String(error)}`, 2000);
  const details = error.details.filter((d) => !error.message.includes(d.path || d.message)).map((d) => `${d.path || 'body'}: ${d.message}`);
  return safeText(`error: ${error.code}: ${error.message}${details.length ? ` (${details.join('; ')})` : ''}`, 2000);
}

/** Runs the CLI on `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    // Messages are built from the API's answer and the CLI's own words, never from the key.
    deps.io.stderr.write(`${errorLine(error)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.failed;
  }
}

/** The `planekeeper` process. */
export async function main(): Promise<void> {
  const env: CliEnvironment = readEnvironment();
  // exitCode, not exit(): a large listing piped to another program must be written out first.
  process.exitCode = await runCli(process.argv.slice(2), { env, io: { stdout: process.stdout, stderr: process.stderr } });
}
