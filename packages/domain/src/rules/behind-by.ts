import { compareLines, compareReleases, versionLine } from '../versions/index.ts';
import type { ParsedVersion, ReleaseDating } from '../versions/index.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export type DaysBehind = {
  days: number;
  /** The date days were counted from; null when none was needed (the deployed version is up to date). */
  countedFrom: ReleaseDating | null;
};

/**
 * Whole days (rounded down) from the deployed release's date to `now`, or 0 when the deployed
 * release is at or above latest (build numbers included: `17.0-20240522` is behind
 * `17.0-20240924`). The date is the deployed release's own: the earliest of the tags carrying
 * it, each dated by its publish date, else by when Planekeeper first gathered it. A date in the
 * future counts as 0 days.
 */
export function daysBehind(
  deployed: { version: ParsedVersion; dated: ReleaseDating },
  latest: ParsedVersion,
  now: Date,
): DaysBehind {
  if (compareReleases(deployed.version, latest) >= 0) return { days: 0, countedFrom: null };
  const elapsed = now.getTime() - deployed.dated.at.getTime();
  return { days: Math.max(0, Math.floor(elapsed / DAY_MS)), countedFrom: deployed.dated };
}

/** latest.major - deployed.major, at least 0. Builds of one version are one version here. */
export function majorsBehind(deployed: ParsedVersion, latest: ParsedVersion): number {
  return Math.max(0, latest.major - deployed.major);
}

/**
 * The number of distinct major.minor lines among `eligible` that are above the deployed
 * version's line and not above the latest's. It counts lines that were actually released, by
 * version and not by date: on 1.2 with 1.3, 1.5 and 1.8 released it is 3. Builds of one version
 * are one version here.
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

const YEAR_MS = 365.25 * DAY_MS;

/**
 * libyear: the years (to two decimals) from the deployed release's date to the latest's, 0 when
 * the deployed release is at or above latest. Null unless both are dated by a publish date: a
 * date Planekeeper first gathered a tag is no release date.
 */
export function libyear(deployed: { version: ParsedVersion; dated: ReleaseDating }, latest: { version: ParsedVersion; dated: ReleaseDating }): number | null {
  if (deployed.dated.source !== 'published' || latest.dated.source !== 'published') return null;
  if (compareReleases(deployed.version, latest.version) >= 0) return 0;
  const years = (latest.dated.at.getTime() - deployed.dated.at.getTime()) / YEAR_MS;
  return Math.max(0, Math.round(years * 100) / 100);
}
