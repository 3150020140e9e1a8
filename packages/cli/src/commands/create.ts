import { Option, type Command } from 'commander';
import { contextFor, emit, type CliDeps } from '../context.ts';
import { durationSeconds, positiveInteger } from '../option-parsers.ts';
import { formatAge, safeText } from '../output.ts';
import type { ApiKeyCreated, EnrollmentTokenCreated } from '../resources.ts';

const SHOWN_ONCE = 'is shown only now: store it in a secret manager';

export function registerCreate(program: Command, deps: CliDeps): void {
  const create = program.command('create').description('Make an enrollment token or an API key');

  create
    .command('enrollment-token')
    .description('Make a one-time enrollment token: an agent started with it (AGENT_ENROLLMENT_TOKEN) enrolls and gets a key of its own')
    .requiredOption('--name <name>', 'what the token is for, e.g. the site')
    .addOption(new Option('--max-uses <n>', 'how many agents may enroll with it').argParser(positiveInteger).default(1))
    .addOption(new Option('--expires <duration>', 'how long it stays valid: 30m, 1h, 7d').argParser(durationSeconds).default(3600, '1h'))
    .option('--capabilities <kinds>', 'what agents enrolled with it may run, comma-separated: gather,scrape,helm_sync')
    .addHelpText('after', '\nExample:\n  planekeeper create enrollment-token --name site-west --max-uses 3 --expires 1h')
    .action(async (options: { name: string; maxUses: number; expires: number; capabilities?: string }, command: Command) => {
      const ctx = await contextFor(command, deps);
      const capabilities = options.capabilities?.split(',').map((c) => c.trim()).filter(Boolean);
      const token = await ctx.api.post<EnrollmentTokenCreated>('/agent-enrollment-tokens', {
        name: options.name, maxUses: options.maxUses, expiresInSeconds: options.expires, ...(capabilities ? { capabilities } : {}),
      });
      emit(ctx, token, () => {
        ctx.io.stderr.write(`note: the token ${SHOWN_ONCE}\n`);
        const uses = `${token.maxUses} use${token.maxUses === 1 ? '' : 's'}`;
        return `enrollment token ${safeText(token.name)} created (id ${token.id}, ${uses}, expires ${formatAge(token.expiresAt, ctx.now)})\n${token.token}\n`;
      });
    });

  create
    .command('api-key')
    .description('Make an API key (admin keys only); the key is printed once')
    .requiredOption('--name <name>', "who or what uses it, e.g. 'ci' or a person")
    .addOption(new Option('--role <role>', 'admin: everything; member: everything but keys; viewer: read only; agent: the agent API').choices(['admin', 'member', 'viewer', 'agent']).makeOptionMandatory())
    .action(async (options: { name: string; role: string }, command: Command) => {
      const ctx = await contextFor(command, deps);
      const key = await ctx.api.post<ApiKeyCreated>('/api-keys', { name: options.name, role: options.role });
      emit(ctx, key, () => {
        ctx.io.stderr.write(`note: the key ${SHOWN_ONCE}\n`);
        return `api key ${safeText(key.name)} created (id ${key.id}, role ${key.role})\n${key.key}\n`;
      });
    });
}
