import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Report } from './report.ts';

const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds a process has used so far (all its threads), plus those of its reaped children. */
export function cpuSecondsOf(pid: number, withReapedChildren = false): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  // utime, stime, cutime, cstime are fields 14-17 of stat; here 0-based after the name: 11-14.
  const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by a Postgres server: the postmaster, its live children (backends,
 * background workers) and the children it has reaped. Null when the server is not local.
 */
export function postgresCpuSeconds(dataDir: string | null): number | null {
  if (!dataDir) return null;
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  let total = cpuSecondsOf(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === postmaster) total += cpuSecondsOf(Number(entry));
  }
  return total;
}

/** CPU used by some processes between `start()` and `stop()`, in seconds. */
export function cpuMeter(read: () => number | null): { stop(): number | null } {
  const before = read();
  return { stop: () => { const after = read(); return before === null || after === null ? null : after - before; } };
}

/**
 * Records the CPU milliseconds each process used per unit of work (`<bench>_cpu_ms_per_<unit>_<process>`):
 * on a shared machine the rates move with the neighbours' load, the CPU cost per unit much less.
 */
export function recordCpu(report: Report, bench: string, seconds: Record<string, number | null>, units: number, unit: string): void {
  for (const [name, used] of Object.entries(seconds)) {
    if (used !== null && units > 0) report.record(`${bench}_cpu_ms_per_${unit}_${name}`, (used * 1000) / units, 'ms');
  }
}
