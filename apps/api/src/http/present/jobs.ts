import type { GatherJobRow, HelmSyncJobRow, ReleaseRow, ScrapeJobRow, VersionSnapshotRow } from '@planekeeper/db';
import { redactUrlCredentials, type GatherJobResponse, type HelmSyncJobResponse, type ReleaseResponse, type ScrapeJobResponse, type VersionSnapshotResponse } from '@planekeeper/domain';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** A gather job's source settings, each URL (`baseUrl`, `repoUrl`, `registryUrl`) with any credentials stored before they were refused masked. */
function presentSource(source: unknown): GatherJobResponse['source'] {
  if (typeof source !== 'object' || source === null) return source as GatherJobResponse['source'];
  const entries = Object.entries(source).map(([key, value]) => [key, key.endsWith('Url') && typeof value === 'string' ? redactUrlCredentials(value) : value]);
  return Object.fromEntries(entries) as GatherJobResponse['source'];
}

export function presentGatherJob(row: GatherJobRow): GatherJobResponse {
  return {
    id: row.id,
    name: row.name,
    sourceType: row.source_type,
    source: presentSource(row.source),
    schedule: row.schedule,
    tagFilter: row.tag_filter,
    skipVersions: row.skip_versions,
    credentialName: row.credential_name,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    helmSyncJobId: row.helm_sync_job_id,
    blockedReason: null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentScrapeJob(row: ScrapeJobRow): ScrapeJobResponse {
  return {
    id: row.id,
    name: row.name,
    repoUrl: redactUrlCredentials(row.repo_url),
    ref: row.ref,
    filePath: row.file_path,
    parser: row.parser,
    expression: row.expression,
    kubernetes: row.kubernetes as ScrapeJobResponse['kubernetes'],
    helmRelease: row.helm_release as ScrapeJobResponse['helmRelease'],
    credentialName: row.credential_name,
    schedule: row.schedule,
    historyLimit: row.history_limit,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    blockedReason: null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentHelmSyncJob(row: HelmSyncJobRow): HelmSyncJobResponse {
  return {
    id: row.id,
    name: row.name,
    repoUrl: redactUrlCredentials(row.repo_url),
    chartFilter: row.chart_filter,
    schedule: row.schedule,
    gatherSchedule: row.gather_schedule,
    credentialName: row.credential_name,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    blockedReason: null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentRelease(row: ReleaseRow): ReleaseResponse {
  return {
    id: row.id,
    gatherJobId: row.gather_job_id,
    tag: row.tag,
    publishedAt: iso(row.published_at),
    prerelease: row.prerelease,
    url: row.url,
    firstSeenAt: row.first_seen_at.toISOString(),
    digest: row.digest,
    cycle: row.cycle as ReleaseResponse['cycle'],
  };
}

export function presentSnapshot(row: VersionSnapshotRow): VersionSnapshotResponse {
  return {
    id: row.id,
    scrapeJobId: row.scrape_job_id,
    version: row.version,
    raw: row.raw,
    commitSha: row.commit_sha,
    imageDigest: row.image_digest,
    details: row.details as VersionSnapshotResponse['details'],
    source: row.source,
    foundAt: row.found_at.toISOString(),
  };
}
