import { compareLines, compareVersions, releaseDate, versionLine } from '../versions/index.ts';
import type { ParsedRelease, ParsedVersion } from '../versions/index.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Which date a days_behind value counts from. */
export type DateSource = 'published' | 'first_seen';

export type DaysBehind = {
  days: number;
  /** Null when no date was needed because the deployed version is up to date. */
  dateSource: DateSource | null;
};

/**
 * Whole days (rounded down) from the deployed release's date to `now`, or 0 when the deployed
 * version is at or above latest. The date is the publish date, else the time Planekeeper first
 * gathered the release (`dateSource` says which). A date in the future counts as 0 days.
 */
export function daysBehind(deployed: ParsedRelease, latest: ParsedVersion, now: Date): DaysBehind {
  if (compareVersions(deployed.version, latest) >= 0) return { days: 0, dateSource: null };
  const elapsed = now.getTime() - releaseDate(deployed.release).getTime();
  return {
    days: Math.max(0, Math.floor(elapsed / DAY_MS)),
    dateSource: deployed.release.publishedAt === null ? 'first_seen' : 'published',
  };
}

/** latest.major - deployed.major, at least 0. */
export function majorsBehind(deployed: ParsedVersion, latest: ParsedVersion): number {
  return Math.max(0, latest.major - deployed.major);
}

/**
 * The number of distinct major.minor lines among `eligible` that are above the deployed
 * version's line and not above the latest's. It counts lines that were actually released, by
 * version and not by date: on 1.2 with 1.3, 1.5 and 1.8 released it is 3.
 */
export function minorsBehind(
  deployed: ParsedVersion,
  latest: ParsedVersion,
  eligible: readonly ParsedVersion[],
): number {
  const lines = new Set<string>();
  for (const version of eligible) {
    if (compareLines(version, deployed) > 0 && compareLines(version, latest) <= 0) lines.add(versionLine(version));
  }
  return lines.size;
}
