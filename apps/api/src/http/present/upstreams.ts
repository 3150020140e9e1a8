import { compareReleases, parseVersionTag, type UpstreamDetailResponse, type UpstreamResponse } from '@planekeeper/domain';
import type { DeploymentRow, UpstreamCountsRow, UpstreamRow } from '../../db/upstreams.queries.ts';

/** The counts as the API names them. */
export function presentCounts(row: UpstreamCountsRow): UpstreamResponse['counts'] {
  return { deployments: row.deployments, onLatest: row.on_latest, behind: row.behind, unknown: row.unknown, pastEol: row.past_eol, violating: row.violating, libyear: row.libyear };
}

/**
 * The upstream's latest version: the highest of the latest versions its deployments' evaluations
 * found (configs of one job can differ by variant or stable-only), by the domain's precedence.
 */
function highest(versions: readonly (string | null)[]): string | null {
  let best: { tag: string; parsed: NonNullable<ReturnType<typeof parseVersionTag>> } | null = null;
  for (const tag of versions) {
    const parsed = tag === null ? null : parseVersionTag(tag);
    if (tag === null || parsed === null) continue;
    if (best === null || compareReleases(parsed, best.parsed) > 0) best = { tag, parsed };
  }
  return best?.tag ?? null;
}

export function presentUpstream(row: Omit<UpstreamRow, 'sort_key'>): UpstreamResponse {
  return { id: row.id, gatherJobId: row.id, name: row.name, sourceType: row.source_type, latestVersion: highest(row.latest_versions), counts: presentCounts(row) };
}

export function presentUpstreamDetail(upstream: Omit<UpstreamRow, 'sort_key'>, deployments: readonly DeploymentRow[]): UpstreamDetailResponse {
  return {
    ...presentUpstream(upstream),
    deployments: deployments.map((d) => ({
      alertConfigId: d.id,
      alertConfigName: d.name,
      enabled: d.enabled,
      ruleType: d.rule_type,
      state: d.state,
      status: d.status,
      reason: d.reason,
      deployedVersion: d.deployed_version,
      latestVersion: d.latest_version,
      behindBy: d.behind_by,
      severity: d.severity,
      libyear: d.libyear,
      eol: d.eol,
      evaluatedAt: d.evaluated_at?.toISOString() ?? null,
    })),
  };
}
