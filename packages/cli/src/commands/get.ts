import { Option, type Command } from 'commander';
import { agentStatus, listAllAgents, listRunningTasks } from '../agent-lookup.ts';
import { contextFor, type CliDeps, type CommandContext } from '../context.ts';
import { limitOption } from '../option-parsers.ts';
import { formatAge, renderData, renderTable, safeText } from '../output.ts';
import type { Query } from '../api-client.ts';
import type { Agent, Alert, GatherJob, ScrapeJob, Task } from '../resources.ts';

/** Lists `path` up to `--limit` and prints it; says on stderr when there was more, or nothing. */
async function getList<T>(ctx: CommandContext, what: string, path: string, query: Query, limit: number, table: (items: T[]) => Promise<string> | string) {
  const { items, more } = await ctx.api.list<T>(path, query, limit);
  if (items.length === 0 && ctx.format === 'table') {
    ctx.io.stderr.write(`No ${what} found.\n`);
    return;
  }
  ctx.io.stdout.write(ctx.format === 'table' ? await table(items) : renderData(items, ctx.format));
  if (more) ctx.io.stderr.write(`(showing the first ${items.length} ${what}; pass --limit to see more)\n`);
}

/** `--enabled` / `--disabled` as the API's `enabled=true|false`. */
function enabledQuery(options: { enabled?: boolean; disabled?: boolean }): string | undefined {
  return options.enabled ? 'true' : options.disabled ? 'false' : undefined;
}

const enabledOptions = (cmd: Command) =>
  cmd.addOption(new Option('--enabled', 'only enabled jobs').conflicts('disabled')).addOption(new Option('--disabled', 'only disabled jobs'));

function gatherSource(job: GatherJob): string {
  const s = job.source;
  if (job.sourceType === 'github_release') return `github:${s.owner}/${s.repo}`;
  if (job.sourceType === 'helm_repo') return `helm:${s.repoUrl} ${s.chart}`;
  if (job.sourceType === 'oci_registry') return `oci:${s.registryUrl}/${s.repository}`;
  if (job.sourceType === 'github_tag') return `github-tags:${s.owner}/${s.repo}`;
  if (job.sourceType === 'gitlab_release') return `gitlab:${s.project}`;
  if (job.sourceType === 'endoflife') return `endoflife:${s.product}`;
  return job.sourceType;
}

/** Where a scrape job reads: the file in git, or the cluster (its credentialName) and what in it. */
function scrapeSource(job: ScrapeJob): string {
  if (job.kubernetes) return `k8s:${job.credentialName ?? ''}/${job.kubernetes.namespace} ${job.kubernetes.selector}`;
  if (job.helmRelease) return `helm-release:${job.credentialName ?? ''}/${job.helmRelease.namespace}/${job.helmRelease.release}`;
  return job.repoUrl ? `${job.repoUrl}:${job.filePath ?? ''}${job.ref ? `@${job.ref}` : ''}` : '-';
}

function behind(alert: Alert): string {
  if (alert.ruleType === 'days_behind') return `${alert.behindBy}d`;
  if (alert.ruleType === 'majors_behind') return `${alert.behindBy} major${alert.behindBy === 1 ? '' : 's'}`;
  if (alert.ruleType === 'minors_behind') return `${alert.behindBy} minor${alert.behindBy === 1 ? '' : 's'}`;
  return String(alert.behindBy);
}

export function registerGet(program: Command, deps: CliDeps): void {
  const get = program.command('get').description('List agents, tasks, alerts, gather jobs or scrape jobs');

  get
    .command('agents')
    .alias('agent')
    .description('List agents: NAME  STATUS  VERSION  TASKS (running/max)  LAST SEEN')
    .addOption(limitOption())
    .action(async (options: { limit: number }, command: Command) => {
      const ctx = await contextFor(command, deps);
      await getList<Agent>(ctx, 'agents', '/agents', {}, options.limit, async (agents) => {
        const running = new Map<string, number>();
        for (const task of await listRunningTasks(ctx.api)) if (task.claimedBy) running.set(task.claimedBy, (running.get(task.claimedBy) ?? 0) + 1);
        return renderTable(
          ['name', 'status', 'version', 'tasks', 'last seen'],
          agents.map((a) => [a.name, agentStatus(a), a.version, `${running.get(a.id) ?? 0}/${a.maxConcurrentTasks}`, formatAge(a.lastHeartbeatAt, ctx.now)]),
        );
      });
    });

  get
    .command('tasks')
    .alias('task')
    .description('List tasks, newest first')
    .addOption(new Option('--status <status>', 'only tasks in this status').choices(['pending', 'claimed', 'succeeded', 'failed']))
    .addOption(new Option('--kind <kind>', 'only tasks of this kind').choices(['gather', 'scrape', 'helm_sync']))
    .option('--job <id>', 'only the tasks of this job')
    .addOption(limitOption())
    .action(async (options: { status?: string; kind?: string; job?: string; limit: number }, command: Command) => {
      const ctx = await contextFor(command, deps);
      await getList<Task>(ctx, 'tasks', '/tasks', { status: options.status, kind: options.kind, jobId: options.job }, options.limit, async (tasks) => {
        const names = tasks.some((t) => t.claimedBy) ? new Map((await listAllAgents(ctx.api)).map((a) => [a.id, a.name])) : new Map<string, string>();
        return renderTable(
          ['id', 'kind', 'status', 'job', 'agent', 'attempts', 'age', 'error'],
          tasks.map((t) => [t.id, t.kind, t.status, t.jobId, t.claimedBy ? (names.get(t.claimedBy) ?? t.claimedBy) : '-', String(t.attempts), formatAge(t.createdAt, ctx.now), safeText(t.error ?? '-', 80)]),
        );
      });
    });

  get
    .command('alerts')
    .alias('alert')
    .description('List alerts, newest first')
    .addOption(new Option('--status <status>', 'only open or resolved alerts').choices(['open', 'resolved']))
    .addOption(new Option('--severity <severity>', 'only alerts of this severity').choices(['moderate', 'high', 'critical']))
    .option('--config <id>', 'only the alerts of this alert config')
    .addOption(limitOption())
    .action(async (options: { status?: string; severity?: string; config?: string; limit: number }, command: Command) => {
      const ctx = await contextFor(command, deps);
      await getList<Alert>(ctx, 'alerts', '/alerts', { status: options.status, severity: options.severity, alertConfigId: options.config }, options.limit, (alerts) =>
        renderTable(
          ['id', 'config', 'severity', 'status', 'deployed', 'latest', 'behind', 'ack', 'age'],
          alerts.map((a) => [a.id, safeText(a.alertConfigName, 40), a.severity, a.status, a.deployedVersion, a.latestVersion, behind(a), a.acknowledged ? 'yes' : 'no', formatAge(a.createdAt, ctx.now)]),
        ),
      );
    });

  enabledOptions(
    get
      .command('gather-jobs')
      .alias('gather-job')
      .description('List gather jobs, newest first')
      .addOption(new Option('--source-type <type>', 'only jobs reading this kind of source').choices(['github_release', 'helm_repo', 'oci_registry', 'github_tag', 'gitlab_release', 'endoflife']))
      .option('--helm-sync-job <id>', 'only the jobs this helm sync job made'),
  )
    .addOption(limitOption())
    .action(async (options: { sourceType?: string; helmSyncJob?: string; enabled?: boolean; disabled?: boolean; limit: number }, command: Command) => {
      const ctx = await contextFor(command, deps);
      const query = { sourceType: options.sourceType, helmSyncJobId: options.helmSyncJob, enabled: enabledQuery(options) };
      await getList<GatherJob>(ctx, 'gather jobs', '/gather-jobs', query, options.limit, (jobs) =>
        renderTable(
          ['id', 'name', 'source', 'schedule', 'enabled', 'last run', 'next run'],
          jobs.map((j) => [j.id, safeText(j.name, 40), safeText(gatherSource(j), 100), j.schedule, j.enabled ? 'yes' : 'no', formatAge(j.lastRunAt, ctx.now), formatAge(j.nextRunAt, ctx.now)]),
        ),
      );
    });

  enabledOptions(
    get
      .command('scrape-jobs')
      .alias('scrape-job')
      .description('List scrape jobs, newest first')
      .addOption(new Option('--parser <parser>', 'only jobs reading with this parser').choices(['yq', 'jq', 'regex', 'manual', 'kubernetes', 'helm_release'])),
  )
    .addOption(limitOption())
    .action(async (options: { parser?: string; enabled?: boolean; disabled?: boolean; limit: number }, command: Command) => {
      const ctx = await contextFor(command, deps);
      await getList<ScrapeJob>(ctx, 'scrape jobs', '/scrape-jobs', { parser: options.parser, enabled: enabledQuery(options) }, options.limit, (jobs) =>
        renderTable(
          ['id', 'name', 'parser', 'source', 'schedule', 'enabled', 'last run', 'next run'],
          jobs.map((j) => [
            j.id, safeText(j.name, 40), j.parser,
            safeText(scrapeSource(j), 100),
            j.schedule ?? '-', j.enabled ? 'yes' : 'no', formatAge(j.lastRunAt, ctx.now), formatAge(j.nextRunAt, ctx.now),
          ]),
        ),
      );
    });
}
