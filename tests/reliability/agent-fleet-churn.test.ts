import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { makeReleases, startGithubApi, type GithubApiStandIn } from '../../apps/agent/test/helpers/github-api.ts';
import type { RunningApp } from '../support/app-process.ts';
import { eventually, logLines, startStack, type Stack } from '../support/stack.ts';
import { startSimulatedAgent, type FleetCounters, type SimulatedAgent } from './simulated-agents.ts';

// 50 agents poll one api at once over 5,000 gather tasks while agents are killed and started at
// random: 6 real agent processes (SIGKILL) and 44 agents simulated in the test over the real HTTP
// protocol (killed by dropping everything mid-task). Replacements come back under a new name
// (a new pod) or the same one (a restarted pod: its old tasks wait for their lease to run out).
// Every task must end succeeded exactly once, and none may stay claimed.

const TASKS = 5000;
const REAL_AGENTS = 6;
const SIMULATED_AGENTS = 44;
const PER_AGENT = 10;
const REPOS = 20;
const LEASE_SECONDS = 10;
const OFFLINE_SECONDS = 5;

let stack: Stack;
let github: GithubApiStandIn;
let agentKey: string;

beforeAll(async () => {
  github = await startGithubApi();
  github.rateLimit.remaining = Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < REPOS; i++) github.repos.set(`acme/repo-${i}`, makeReleases('acme', `repo-${i}`, 4));
  stack = await startStack({
    env: {
      LOG_LEVEL: 'info',
      AGENT_OFFLINE_AFTER_SECONDS: String(OFFLINE_SECONDS),
      AGENT_LEASE_SECONDS: String(LEASE_SECONDS),
      AGENT_POLL_INTERVAL_SECONDS: '1',
      TASKENGINE_ORPHAN_CHECK_SECONDS: '1',
      // Agents are killed on purpose here, often: a task is not given up after 5 unlucky claims.
      TASKENGINE_TASK_MAX_ATTEMPTS: '1000',
    },
  });
  const key = await stack.call('POST', '/api/v1/api-keys', { name: 'fleet', role: 'agent' });
  agentKey = key.body.key;
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await github?.close();
});

describe('50 agents over 5,000 tasks, killed and started at random', () => {
  it('every task ends succeeded exactly once; none is left claimed', async () => {
    const counters: FleetCounters = { accepted: 0, refused: 0, otherErrors: [] };
    const apiUrl = stack.api().url;
    const real = new Map<string, RunningApp>();
    const simulated = new Map<string, SimulatedAgent>();
    const kills = { real: 0, simulated: 0, sameName: 0, orphanedBySimulated: 0, orphanedByReal: 0 };
    const realEnv = { AGENT_API_KEY: agentKey, AGENT_MAX_CONCURRENT_TASKS: String(PER_AGENT), LOG_LEVEL: 'warn' };
    const startSimulated = (name: string) => simulated.set(name, startSimulatedAgent({ apiUrl, key: agentKey, name, max: PER_AGENT, counters }));

    await Promise.all(Array.from({ length: REAL_AGENTS }, async (_, i) => real.set(`real-${i}`, await stack.startAgent(`real-${i}`, realEnv))));
    for (let i = 0; i < SIMULATED_AGENTS; i++) startSimulated(`sim-${i}`);

    // 5,000 due gather jobs: the real scheduler makes their tasks, the agents wake on them.
    const organizationId = await stack.organizationId();
    const started = Date.now();
    for (let from = 0; from < TASKS; from += 1000) {
      await stack.db.insertInto('gather_jobs').values(Array.from({ length: 1000 }, (_, k) => ({
        organization_id: organizationId,
        name: `fleet job ${from + k}`,
        source_type: 'github_release' as const,
        source: JSON.stringify({ owner: 'acme', repo: `repo-${(from + k) % REPOS}`, baseUrl: github.url }),
        schedule: '0 0 1 1 *',
        next_run_at: sql<Date>`now()`,
      }))).execute();
    }

    const statusCounts = async () => {
      const rows = await stack.db.selectFrom('tasks').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
    };

    // Chaos while the first 80 % run (at most 45 s): every 0.4-1.2 s one agent dies (every 6th a
    // real process: starting one costs seconds of CPU); a replacement starts under a new name,
    // or (every third time) under the dead one's name.
    let generation = 0;
    const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;
    for (;;) {
      const counts = await statusCounts();
      if ((counts.succeeded ?? 0) >= TASKS * 0.8 || Date.now() - started > 45_000) break;
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 800));
      const sameName = ++generation % 3 === 0;
      if (generation % 6 === 0 && real.size > 0) {
        const [name, app] = pick([...real]);
        const agent = await stack.db.selectFrom('agents').select('id').where('name', '=', name).executeTakeFirst();
        const claimed = agent ? await stack.db.selectFrom('tasks').select((eb) => eb.fn.countAll<string>().as('n')).where('claimed_by', '=', agent.id).where('status', '=', 'claimed').executeTakeFirstOrThrow() : { n: '0' };
        await app.kill();
        real.delete(name);
        kills.real++;
        kills.orphanedByReal += Number(claimed.n);
        const next = sameName ? name : `${name.split('.')[0]}.${generation}`;
        if (sameName) kills.sameName++;
        real.set(next, await stack.startAgent(next, realEnv));
      } else {
        const busy = [...simulated.values()].filter((s) => s.inFlight() > 0);
        const victim = pick(busy.length > 0 ? busy : [...simulated.values()]);
        kills.orphanedBySimulated += victim.kill();
        simulated.delete(victim.name);
        kills.simulated++;
        const next = sameName ? victim.name : `${victim.name.split('.')[0]}.${generation}`;
        if (sameName) kills.sameName++;
        startSimulated(next);
      }
    }
    const chaosEndedAt = Date.now();

    // The recovery window: offline detection or lease expiry, plus a check.
    const final = await eventually('every task succeeded', async () => {
      const counts = await statusCounts();
      return counts.succeeded === TASKS ? counts : undefined;
    }, 60_000);
    const allDoneAt = Date.now();
    // Recovery does not take back finished work: a few checks later, still all succeeded.
    await new Promise((r) => setTimeout(r, (OFFLINE_SECONDS + 1) * 1000));
    expect(await statusCounts()).toEqual({ succeeded: TASKS });
    expect(final).toEqual({ succeeded: TASKS });

    // One task per job, and exactly one accepted result per task: each accepted result commits one
    // task.completed message with it, so a second acceptance would show as a second message.
    const perJob = await stack.db.selectFrom('tasks').select(['job_id', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('job_id').having((eb) => eb.fn.countAll(), '>', 1).execute();
    expect(perJob).toEqual([]);
    const { rows: messages } = await sql<{ tasks: string; messages: string }>`
      SELECT count(DISTINCT data->>'taskId') AS tasks, count(*) AS messages FROM pgboss.job WHERE name = 'task.completed'`.execute(stack.db);
    expect({ tasks: Number(messages[0]!.tasks), messages: Number(messages[0]!.messages) }).toEqual({ tasks: TASKS, messages: TASKS });

    const recovered = logLines(stack.logs, 'taskengine', 'task recovered: back to pending');
    const byReason: Record<string, number> = {};
    for (const line of recovered) byReason[line.reason] = (byReason[line.reason] ?? 0) + 1;
    const attempts = await stack.db.selectFrom('tasks').select(['attempts', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('attempts').orderBy('attempts').execute();
    const agentsSeen = await stack.db.selectFrom('agents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(kills.real).toBeGreaterThan(0);
    expect(kills.simulated).toBeGreaterThan(0);
    expect(recovered.length).toBeGreaterThan(0);
    // Only transport errors of the simulated agents' own HTTP calls are tolerated (a retry follows); no 4xx/5xx.
    const transportErrors = counters.otherErrors.filter((e) => /fetch failed|aborted/i.test(e));
    expect(counters.otherErrors.filter((e) => !transportErrors.includes(e))).toEqual([]);

    for (const app of real.values()) await app.stop();
    for (const agent of simulated.values()) agent.kill();

    console.log(`[reliability] agent fleet churn: ${TASKS} tasks, 50 agents at once (${REAL_AGENTS} real processes + ${SIMULATED_AGENTS} simulated over HTTP), ` +
      `${agentsSeen.n} agent names over the run; kills: ${kills.real} real SIGKILL (${kills.orphanedByReal} tasks orphaned), ${kills.simulated} simulated (${kills.orphanedBySimulated} tasks orphaned), ` +
      `${kills.sameName} replacements under the same name; recoveries: ${JSON.stringify(byReason)}; tasks by attempts: ${attempts.map((a) => `${a.attempts}x${a.n}`).join(' ')}; ` +
      `late results refused (409) to simulated agents: ${counters.refused}; transport errors seen by simulated agents: ${transportErrors.length}; all succeeded ${Math.round((allDoneAt - started) / 1000)} s after the jobs were due ` +
      `(chaos for ${Math.round((chaosEndedAt - started) / 1000)} s, recovery tail ${Math.round((allDoneAt - chaosEndedAt) / 1000)} s); task.completed messages ${messages[0]!.messages}`);
  }, 180_000);
});
