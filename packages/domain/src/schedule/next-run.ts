import { Cron } from 'croner';

/** Longest cron expression accepted; real ones are far shorter. */
export const CRON_MAX_LENGTH = 120;

// A fixed reference keeps validation pure: a pattern that has no run after it (Feb 31) never runs.
const REFERENCE_DATE = new Date('2000-01-01T00:00:00Z');

function parseCron(expr: string): Cron {
  // UTC, standard 5 fields (minute precision) or 6 with leading seconds; day-of-month and
  // day-of-week combine with OR, as in Vixie cron.
  return new Cron(expr, { timezone: 'UTC', mode: '5-or-6-parts', paused: true });
}

/**
 * Why `expr` is not a usable cron expression, or null when it is. Accepts 5 fields
 * (`m h dom mon dow`) or 6 with leading seconds (`s m h dom mon dow`); nicknames such as
 * `@daily` are refused so that every stored schedule reads the same way.
 */
export function cronProblem(expr: string): string | null {
  if (typeof expr !== 'string') return 'must be a string';
  const trimmed = expr.trim();
  if (trimmed.length === 0) return 'must not be empty';
  if (trimmed.length > CRON_MAX_LENGTH) return `must be at most ${CRON_MAX_LENGTH} characters`;
  const fields = trimmed.split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    return `must have 5 fields (minute hour day month weekday) or 6 with leading seconds, got ${fields}`;
  }
  let cron: Cron;
  try {
    cron = parseCron(trimmed);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `is not a valid cron expression: ${reason}`;
  }
  if (cron.nextRun(REFERENCE_DATE) === null) return 'never matches a date';
  return null;
}

/** True when `expr` is a 5- or 6-field cron expression that fires at least once. */
export function isValidCron(expr: string): boolean {
  return cronProblem(expr) === null;
}

/**
 * The first time strictly after `after` at which `expr` fires, in UTC.
 * @throws Error when `expr` is not valid (validate input with {@link isValidCron} first).
 */
export function nextRunAt(expr: string, after: Date): Date {
  const problem = cronProblem(expr);
  if (problem !== null) throw new Error(`Cron expression "${expr}" ${problem}`);
  const next = parseCron(expr.trim()).nextRun(after);
  if (next === null) throw new Error(`Cron expression "${expr}" has no run after ${after.toISOString()}`);
  return next;
}
