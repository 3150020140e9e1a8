import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Database } from '@planekeeper/db';
import type { Kysely } from 'kysely';
import { callApi, until } from './lib/client.ts';
import type { AgentUpstreams, BenchJob } from './lib/agent-upstreams.ts';
import { rssBreakdownOf } from './lib/node-process.ts';
import type { Report } from './lib/report.ts';

/** How long the agent is left idle once its task worker has ended, before its memory is read. */
const SETTLE_SECONDS = 10;

/** What the task benchmark works with: an agent already registered with the api and idle. */
export interface AgentUnderTest {
  pid: number;
  apiUrl: string;
  adminKey: string;
  db: Kysely<Database>;
  upstreams: AgentUpstreams;
}

/** The processes a process started, and theirs (the agent's task worker, git and ssh below it). */
function descendantsOf(pid: number): number[] {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return ''; // the thread ended while listed
    }
  };
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // the process ended
  }
  const children = threads.flatMap((tid) => read(`/proc/${pid}/task/${tid}/children`).trim().split(/\s+/).filter((id) => id !== '').map(Number));
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

/** A /proc/<pid>/status field in MB, or 0 when the process has ended. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon'): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
  } catch {
    return 0;
  }
}

/** Starts the peak (VmHWM) over from the current resident size (Linux: `5` into clear_refs). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Until the agent has ended its task worker (no process below it). */
async function workerEnded(pid: number): Promise<void> {
  await until('the agent to end its task worker', async () => descendantsOf(pid).length === 0, 180_000, 100);
}

/** Creates the jobs, runs each now, and waits until every task has succeeded (a failure stops the bench, naming it). */
async function runJobs(agent: AgentUnderTest, jobs: BenchJob[]): Promise<void> {
  const tasks: { label: string; id: string }[] = [];
  for (const job of jobs) {
    const created = await callApi<{ id: string }>(agent.apiUrl, agent.adminKey, 'POST', job.route, job.body);
    const run = await callApi<{ id: string }>(agent.apiUrl, agent.adminKey, 'POST', `${job.route}/${created.body.id}/run`);
    tasks.push({ label: job.label, id: run.body.id });
  }
  await until(`the agent to finish ${jobs.map((job) => job.label).join(', ')}`, async () => {
    const rows = await agent.db.selectFrom('tasks').select(['id', 'status', 'error']).where('id', 'in', tasks.map((task) => task.id)).execute();
    const failed = rows.find((row) => row.status === 'failed');
    if (failed) throw new Error(`the ${tasks.find((task) => task.id === failed.id)?.label} task failed: ${failed.error}`);
    return rows.every((row) => row.status === 'succeeded');
  }, 300_000, 50);
}

/** A peak of the agent's memory while it ran one job, in MB. */
interface Peak {
  /** The agent's resident memory plus its worker's anonymous memory, at their highest sample. */
  total: number;
  /** The agent's and its worker's own peaks (VmHWM): their sum counts the node binary's pages twice. */
  agent: number;
  worker: number;
}

/**
 * The agent's peak memory while it runs `job`, from idle (no worker) to the task's end. The agent
 * and its task worker are two processes that map the same node binary, whose pages the kernel
 * keeps once: what they hold together is the agent's resident memory plus the worker's anonymous
 * memory (its heap and buffers), sampled every 20 ms. Their two peaks (VmHWM, read before the
 * worker ends) go beside it.
 */
async function peakDuring(agent: AgentUnderTest, job: BenchJob): Promise<Peak> {
  await workerEnded(agent.pid);
  resetPeak(agent.pid);
  let total = 0;
  const sampler = setInterval(() => {
    total = Math.max(total, descendantsOf(agent.pid).reduce((sum, pid) => sum + statusMb(pid, 'RssAnon'), statusMb(agent.pid, 'VmRSS')));
  }, 20);
  try {
    await runJobs(agent, [job]);
  } finally {
    clearInterval(sampler);
  }
  const workers = descendantsOf(agent.pid);
  if (workers.length === 0) throw new Error(`the agent's task worker ended before its peak memory was read (${job.label})`);
  return { total, agent: statusMb(agent.pid, 'VmHWM'), worker: workers.reduce((sum, pid) => sum + statusMb(pid, 'VmHWM'), 0) };
}

/**
 * What tasks cost a built agent, its task worker included: its memory once it has run one task of
 * each kind and its worker has ended, and its peak while gathering big sources.
 */
export async function benchAgentTasks(agent: AgentUnderTest, report: Report): Promise<void> {
  await runJobs(agent, agent.upstreams.everyKind);
  await workerEnded(agent.pid);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
  const processes = [agent.pid, ...descendantsOf(agent.pid)];
  report.record('agent_rss_mb_idle_after_tasks', processes.reduce((sum, pid) => sum + statusMb(pid, 'VmRSS'), 0), 'MB');
  report.note(`memory: after ${agent.upstreams.everyKind.map((job) => job.label).join(', ')}, once its task worker had ended, ${SETTLE_SECONDS} s idle: ${rssBreakdownOf(agent.pid)}`);

  const shown = (peak: Peak) => `${Math.round(peak.total)} MB (VmHWM: agent ${Math.round(peak.agent)} MB, worker ${Math.round(peak.worker)} MB)`;
  const helm = await peakDuring(agent, agent.upstreams.helm10mb);
  report.record('agent_rss_mb_peak_helm_10mb', helm.total, 'MB');
  const peaks: string[] = [`${agent.upstreams.helm10mb.label} ${shown(helm)}`];
  let huge = 0;
  for (const job of agent.upstreams.huge) {
    const peak = await peakDuring(agent, job);
    peaks.push(`${job.label} ${shown(peak)}`);
    huge = Math.max(huge, peak.total);
  }
  report.record('huge_agent_peak_mb', huge, 'MB');
  report.note(`memory: peaks from idle: ${peaks.join('; ')}`);
}
