import { statfs } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { AgentHealthSample } from '@planekeeper/domain';

/** Reads the health sample a heartbeat carries; `runningTasks` comes from the loop. */
export type HealthSampler = (runningTasks: number) => Promise<AgentHealthSample>;

/**
 * The agent process's CPU (% of one core since the previous sample) and resident memory, the
 * host's load average, and the free space of the cache directory's file system (null when it
 * cannot be read: the heartbeat still goes). The task worker, a process of its own, is not
 * counted: its memory is its own limit (AGENT_TASK_WORKER_MAX_HEAP_MB).
 */
export function createHealthSampler(cacheDir: string): HealthSampler {
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  return async (runningTasks) => {
    const cpu = process.cpuUsage(lastCpu);
    const at = performance.now();
    const elapsedMs = Math.max(at - lastAt, 1);
    lastCpu = process.cpuUsage();
    lastAt = at;
    let cacheFreeBytes: number | null = null;
    try {
      const fs = await statfs(cacheDir);
      cacheFreeBytes = Number(fs.bavail) * Number(fs.bsize);
    } catch {
      // An unreadable cache directory fails tasks with its own message; the heartbeat says null.
    }
    const [one = 0, five = 0, fifteen = 0] = loadavg();
    return {
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
      rssBytes: process.memoryUsage.rss(),
      loadAverage: [one, five, fifteen],
      cacheFreeBytes,
      runningTasks,
    };
  };
}
