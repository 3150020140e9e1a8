import { explainVersionTag } from '../versions/index.ts';
import type { ParsedVersion } from '../versions/index.ts';
import type { Severity, SeverityThresholds } from './severity.ts';

/** What an `eol` rule reads of a release cycle gathered by an endoflife job. */
export type EolCycle = {
  /** The cycle's name as the product names it: `1.28`, `3.12`, `16`, `22.04`. */
  name: string;
  /** End of life, a calendar date (YYYY-MM-DD), or null when not known. */
  eolDate: string | null;
  /** endoflife.date's flag: true once the cycle is past end of life (also without a date). */
  eol: boolean;
  /** The cycle's latest version, if known. */
  latestVersion: string | null;
};

/** The deployed version's cycle and how long it has left, as an evaluation shows it. */
export type EndOfLife = {
  cycle: string;
  eolDate: string | null;
  /** Whole calendar days (UTC) from now to the EOL date: 0 on the day, negative after; null without a date. */
  daysLeft: number | null;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The numbers of a cycle name (`1.28` -> [1, 28], `16` -> [16]); null for names that are not numbers (`bullseye`). */
function cycleNumbers(name: string): number[] | null {
  if (!/^\d+(\.\d+)*$/.test(name.trim())) return null;
  return name.trim().split('.').map(Number);
}

/**
 * The cycle a version belongs to, by the product's own cycle naming: the cycle whose numbers are
 * the leading numbers of the version (`1.28.4` -> `1.28`, `3.12.1` -> `3.12`, `16.2` -> `16`),
 * the longest such when several match (`1.28` before `1`). Null when none does.
 */
export function matchCycle(version: ParsedVersion, cycles: readonly EolCycle[]): EolCycle | null {
  const numbers = [version.major, version.minor, version.patch, ...version.extra];
  let best: { cycle: EolCycle; length: number } | null = null;
  for (const cycle of cycles) {
    const parts = cycleNumbers(cycle.name);
    if (parts === null || parts.length > numbers.length) continue;
    if (parts.every((part, i) => part === numbers[i]) && (best === null || parts.length > best.length)) best = { cycle, length: parts.length };
  }
  return best?.cycle ?? null;
}

/** Whole calendar days (UTC) from `now` to `date` (YYYY-MM-DD). */
export function daysUntil(date: string, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((Date.parse(`${date}T00:00:00Z`) - today) / DAY_MS);
}

/**
 * The deployed version's cycle and days left before its end of life. Not known, with the reason,
 * when there are no cycles (no endoflife gather job, or it has not run), the deployed version
 * does not parse or belongs to no known cycle, or the cycle has no EOL date.
 */
export function endOfLife(deployedVersion: string | null, cycles: readonly EolCycle[] | null, now: Date): { ok: true; eol: EndOfLife } | { ok: false; reason: string } {
  if (cycles === null) return { ok: false, reason: 'no end-of-life data: link an endoflife gather job to the alert config (eolGatherJobId)' };
  if (cycles.length === 0) return { ok: false, reason: 'no end-of-life data: the endoflife gather job has gathered no release cycles yet' };
  const text = deployedVersion?.trim() ?? '';
  if (text === '') return { ok: false, reason: 'no deployed version yet' };
  const reading = explainVersionTag(text);
  if (!reading.ok) return { ok: false, reason: `deployed version "${text}" does not parse: ${reading.message}` };
  const cycle = matchCycle(reading.version, cycles);
  if (cycle === null) {
    const names = cycles.slice(0, 8).map((c) => c.name).join(', ');
    return { ok: false, reason: `deployed version ${text} belongs to no known release cycle (cycles: ${names}${cycles.length > 8 ? ', ...' : ''})` };
  }
  if (cycle.eolDate === null) {
    const why = cycle.eol ? 'is past end of life, but its date is not known' : 'has no end-of-life date yet';
    return { ok: false, reason: `release cycle ${cycle.name} ${why}` };
  }
  return { ok: true, eol: { cycle: cycle.name, eolDate: cycle.eolDate, daysLeft: daysUntil(cycle.eolDate, now) } };
}

/**
 * An `eol` rule's severity: the most severe threshold the days left have reached (days left at or
 * below it; critical 0 = on or past the EOL date), or null when above every threshold.
 */
export function eolSeverity(daysLeft: number, thresholds: SeverityThresholds): Severity | null {
  if (daysLeft <= thresholds.critical) return 'critical';
  if (daysLeft <= thresholds.high) return 'high';
  if (daysLeft <= thresholds.moderate) return 'moderate';
  return null;
}
