import type { HelmSyncResult } from '@planekeeper/domain';
import type { Credential } from './credentials.ts';
import { fetchHelmIndex, readHelmCharts } from './gather/helm-index.ts';
import { filterTags } from './scrape/parsers/regex.ts';

/** A helm_sync task's settings. */
export interface HelmSyncSpec {
  repoUrl: string;
  chartFilter?: string | null;
}

/**
 * Every chart of a Helm repository and its versions, for the server to keep one gather job per
 * chart. `chartFilter` (a user's regex, run by the linear-time engine) narrows the charts.
 */
export async function syncHelmRepository(
  spec: HelmSyncSpec,
  options: { credential?: Credential | undefined; signal?: AbortSignal; maxBytes?: number },
): Promise<HelmSyncResult> {
  const index = await fetchHelmIndex(spec.repoUrl, options);
  const charts: HelmSyncResult['charts'] = [];
  for (const chart of readHelmCharts(index.text)) {
    charts.push({ name: chart.name, versions: chart.versions.map((entry) => entry.version) });
  }
  if (spec.chartFilter === null || spec.chartFilter === undefined || spec.chartFilter === '') return { charts };
  const kept = new Set(filterTags(spec.chartFilter, charts.map((chart) => chart.name), 'chart filter'));
  return { charts: charts.filter((chart) => kept.has(chart.name)) };
}
