import { nextRunAt } from '@planekeeper/domain';

/** A job's scheduling state before or after an edit. */
export interface ScheduleState {
  enabled: boolean;
  /** Whether the job has anything for an agent to run (false for manual scrape jobs). */
  runnable: boolean;
  schedule: string | null;
}

/**
 * When a job runs next after an edit. A job that is disabled or has nothing to run is not
 * scheduled (null). One that just became runnable (created, re-enabled, made non-manual) or whose
 * work changed (source, filter, credential...) runs at once, so the user sees the effect of the
 * change without waiting for the schedule. A new schedule counts from now. Otherwise the planned
 * run stands.
 */
export function nextRunAfterEdit(input: {
  before: (ScheduleState & { nextRunAt: Date | null }) | null;
  after: ScheduleState;
  workChanged: boolean;
  now: Date;
}): Date | null {
  const { before, after, now } = input;
  if (!after.enabled || !after.runnable || after.schedule === null) return null;
  if (before === null || !before.enabled || !before.runnable || input.workChanged || before.nextRunAt === null) return now;
  if (before.schedule !== after.schedule) return nextRunAt(after.schedule, now);
  return before.nextRunAt;
}

/** Whether two JSON-like values are equal, whatever the order of their keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
