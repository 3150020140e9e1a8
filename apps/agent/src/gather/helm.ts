import type { GatherResult } from '@planekeeper/domain';
import type { Credential } from '../credentials.ts';
import { displayUrl } from '../display-url.ts';
import { TaskError } from '../task-error.ts';
import { toIsoOrNull } from './dates.ts';
import { fetchHelmIndex, readHelmCharts, type HelmChartVersion } from './helm-index.ts';

/** A helm_repo source. */
export interface HelmSource {
  repoUrl: string;
  chart: string;
}

/** A chart version is a SemVer 2 version, so a `-` before any `+build` marks a prerelease. */
export function isSemverPrerelease(version: string): boolean {
  return (version.split('+')[0] ?? '').includes('-');
}

function absoluteUrl(url: string | undefined, indexUrl: string): string | undefined {
  if (url === undefined) return undefined;
  try {
    const resolved = new URL(url, indexUrl);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? displayUrl(resolved.toString()) : undefined;
  } catch {
    return undefined;
  }
}

/** Every version of one chart in a Helm repository's index.yaml, with its created date. */
export async function gatherHelmChart(
  source: HelmSource,
  options: { credential?: Credential | undefined; signal?: AbortSignal; maxBytes?: number },
): Promise<GatherResult> {
  const index = await fetchHelmIndex(source.repoUrl, options);
  let found: HelmChartVersion[] | undefined;
  let chartCount = 0;
  for (const chart of readHelmCharts(index.text, (name) => {
    chartCount++;
    return name === source.chart;
  })) {
    found = chart.versions;
  }
  if (found === undefined) {
    throw new TaskError(`chart ${source.chart} is not in the Helm repository index ${displayUrl(index.url)} (${chartCount} charts listed)`, { retryable: false });
  }
  return {
    releases: found.map((entry) => {
      const url = absoluteUrl(entry.urls[0], index.url);
      return { tag: entry.version, publishedAt: toIsoOrNull(entry.created), prerelease: isSemverPrerelease(entry.version), ...(url === undefined ? {} : { url }) };
    }),
  };
}
