import { createProtocolAgent, type ClaimedTask } from '../support/protocol-agent.ts';

/**
 * An agent simulated in the test process, speaking the real agent protocol over HTTP: heartbeat
 * every second, long-polling claims, each gather task run against the GitHub stand-in the task's
 * spec names (with a little think time, so a kill often lands mid-task), then its result reported.
 * `kill()` is the simulated SIGKILL: everything stops at once, claimed tasks are never reported.
 */
export interface SimulatedAgent {
  name: string;
  /** Tasks claimed and not yet reported. */
  inFlight(): number;
  kill(): number;
  done: Promise<void>;
}

/** What all simulated agents saw, for the report. */
export interface FleetCounters {
  accepted: number;
  /** 409: the lease was no longer the task's (recovered and given to another agent meanwhile). */
  refused: number;
  otherErrors: string[];
}

interface GithubRelease {
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  published_at: string | null;
  html_url: string;
}

async function runGather(task: ClaimedTask, signal: AbortSignal) {
  const source = task.spec.source as { owner: string; repo: string; baseUrl: string };
  const answer = await fetch(`${source.baseUrl}/repos/${source.owner}/${source.repo}/releases?per_page=100`, { signal });
  if (!answer.ok) throw new Error(`GitHub stand-in answered ${answer.status}`);
  const releases = (await answer.json()) as GithubRelease[];
  await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
  return { releases: releases.filter((r) => !r.draft).map((r) => ({ tag: r.tag_name, publishedAt: r.published_at, prerelease: r.prerelease, url: r.html_url })) };
}

export function startSimulatedAgent(options: { apiUrl: string; key: string; name: string; max: number; counters: FleetCounters }): SimulatedAgent {
  const { counters } = options;
  const stop = new AbortController();
  const { signal } = stop;
  const agent = createProtocolAgent({ apiUrl: options.apiUrl, key: options.key, name: options.name, capabilities: ['gather'], maxConcurrentTasks: options.max });
  const claimed = new Set<string>();
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const swallow = (error: unknown) => {
    if (!signal.aborted) counters.otherErrors.push(`${options.name}: ${String(error)}`.slice(0, 300));
  };

  const heartbeats = (async () => {
    while (!signal.aborted) {
      await agent.heartbeat(signal).catch(swallow);
      await pause(1000);
    }
  })();
  const work = (async () => {
    while (!signal.aborted) {
      let tasks: ClaimedTask[];
      try {
        tasks = await agent.claim(options.max, 2, signal);
      } catch (error) {
        swallow(error);
        await pause(200);
        continue;
      }
      for (const task of tasks) claimed.add(task.id);
      await Promise.all(tasks.map(async (task) => {
        try {
          const result = await runGather(task, signal);
          const answer = await agent.result(task.id, task.leaseToken, result, signal);
          if (answer.status === 202) counters.accepted++;
          else if (answer.status === 409) counters.refused++;
          else counters.otherErrors.push(`${options.name}: result ${answer.status} ${JSON.stringify(answer.body)}`.slice(0, 300));
          claimed.delete(task.id);
        } catch (error) {
          swallow(error);
        }
      }));
    }
  })();
  return {
    name: options.name,
    inFlight: () => claimed.size,
    kill() {
      const orphaned = claimed.size;
      stop.abort();
      return orphaned;
    },
    done: Promise.all([heartbeats, work]).then(() => undefined),
  };
}
