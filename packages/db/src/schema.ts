import type { OrganizationId } from '@planekeeper/domain';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a database default. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/**
 * The organization a row belongs to: read as an OrganizationId (a row is a trusted source), so a
 * filter on it takes one too; written as given, never changed.
 */
type TenantColumn = ColumnType<OrganizationId, OrganizationId | string, never>;
/** A jsonb column holding `T`. */
type Json<T> = ColumnType<T, T | string, T | string>;
/** A nullable column an insert may leave out. */
type Nullable<T, W = T> = ColumnType<T | null, W | null | undefined, W | null>;

export type ApiKeyRole = 'admin' | 'member' | 'viewer' | 'agent';
export type TaskKind = 'gather' | 'scrape' | 'helm_sync';
export type TaskStatus = 'pending' | 'claimed' | 'succeeded' | 'failed';
export type SourceType = 'github_release' | 'helm_repo' | 'oci_registry' | 'github_tag' | 'gitlab_release' | 'endoflife';
export type ParserType = 'yq' | 'jq' | 'regex' | 'manual' | 'kubernetes' | 'helm_release';
export type RuleType = 'days_behind' | 'majors_behind' | 'minors_behind' | 'libyear' | 'eol';

/** Defaults to [] (migration 0017). */
type SkipVersionsColumn = ColumnType<SkipVersionEntry[], string | undefined, string>;

/** A release skipped by an alert config or gather job (migration 0017). */
export interface SkipVersionEntry {
  versions: string;
  reason: string;
}
export type SeverityLevel = 'moderate' | 'high' | 'critical';
export type AlertStatus = 'open' | 'resolved';
export type AlertEventKind = 'created' | 'escalated' | 'acknowledged' | 'unacknowledged' | 'resolved' | 'snoozed' | 'unsnoozed';
export type ChannelType = 'slack' | 'discord' | 'teams' | 'webhook';
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead';
export type DeliveryOutcome = 'succeeded' | 'retry' | 'permanent' | 'gone';

export interface OrganizationsTable {
  /** Generated; read as an OrganizationId like every tenant column. */
  id: ColumnType<OrganizationId, string | undefined, never>;
  name: string;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  role: ApiKeyRole;
  key_hash: string;
  key_prefix: string;
  bootstrap: Generated<boolean>;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** The agent an enrolled key belongs to (null for keys made by hand). */
  agent_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AgentEnrollmentTokensTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  token_hash: string;
  token_prefix: string;
  capabilities: TaskKind[] | null;
  max_uses: number;
  uses: Generated<number>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  created_at: CreatedAt;
}

/** Status of a probe: waiting for its agent, picked up, or reported. */
export type AgentProbeStatus = 'pending' | 'sent' | 'succeeded' | 'failed' | 'refused';

export interface AgentProbesTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  agent_id: string;
  target: Json<Record<string, unknown>>;
  status: Generated<AgentProbeStatus>;
  result: Json<Record<string, unknown>> | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  completed_at: Timestamp | null;
}

export interface AgentDiagnosticsTable {
  agent_id: string;
  organization_id: TenantColumn;
  effective_config: Json<Record<string, unknown>>;
  reported_at: CreatedAt;
}

/** A web UI session (migration 0015): acts as the key it was opened with, ends with it. */
export interface UiSessionsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  api_key_id: string;
  token_hash: string;
  created_at: CreatedAt;
  last_seen_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface AgentsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  hostname: Generated<string>;
  version: Generated<string>;
  capabilities: Generated<TaskKind[]>;
  /** What the enrollment token allowed (migration 0013): heartbeats declare at most these; null = any. */
  enrolled_capabilities: TaskKind[] | null;
  credentials: Generated<string[]>;
  max_concurrent_tasks: Generated<number>;
  last_heartbeat_at: CreatedAt;
  draining: Generated<boolean>;
  /** The process that sent the last heartbeat (migration 0014), and the one before it. */
  instance_id: string | null;
  previous_instance_id: string | null;
  /** When instance ids last alternated: two live processes under this name. */
  duplicate_seen_at: Timestamp | null;
  /** Agent clock minus server clock at the last heartbeat, ms (bigint: returned as a string). */
  clock_skew_ms: ColumnType<string | null, number | null | undefined, number | null>;
  /** The latest health sample (AgentHealthSample of the domain). */
  health: Json<Record<string, unknown>> | null;
  health_sampled_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface GatherJobsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  source_type: SourceType;
  source: Json<Record<string, unknown>>;
  tag_filter: string | null;
  schedule: string;
  credential_name: string | null;
  enabled: Generated<boolean>;
  next_run_at: Timestamp | null;
  last_run_at: Timestamp | null;
  etag: string | null;
  helm_sync_job_id: string | null;
  helm_chart: string | null;
  /** Releases skipped for every alert config using this job (migration 0017). */
  skip_versions: SkipVersionsColumn;
  /**
   * The digest (`releasesDigest`) of the release list last ingested, set with the upsert; null
   * once anything else changed or deleted the job's releases (triggers of migration 0018).
   */
  releases_digest: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ScrapeJobsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  repo_url: string | null;
  ref: string | null;
  file_path: string | null;
  parser: ParserType;
  expression: string | null;
  /** parser kubernetes: `{ namespace, selector, container?, kinds? }`. */
  kubernetes: Json<Record<string, unknown>> | null;
  /** parser helm_release: `{ namespace, release }`. */
  helm_release: Json<Record<string, unknown>> | null;
  credential_name: string | null;
  schedule: string | null;
  history_limit: Generated<number>;
  enabled: Generated<boolean>;
  next_run_at: Timestamp | null;
  last_run_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface HelmSyncJobsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  repo_url: string;
  chart_filter: string | null;
  schedule: string;
  gather_schedule: string;
  credential_name: string | null;
  enabled: Generated<boolean>;
  next_run_at: Timestamp | null;
  last_run_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface TasksTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  kind: TaskKind;
  gather_job_id: string | null;
  scrape_job_id: string | null;
  helm_sync_job_id: string | null;
  /** Generated by the database from the three job columns. */
  job_id: ColumnType<string, never, never>;
  spec: Json<Record<string, unknown>>;
  credential_name: string | null;
  status: ColumnType<TaskStatus, TaskStatus | undefined, TaskStatus>;
  scheduled_at: CreatedAt;
  claimed_by: string | null;
  claimed_at: Timestamp | null;
  lease_token: string | null;
  lease_expires_at: Timestamp | null;
  attempts: Generated<number>;
  error: string | null;
  result: Json<unknown> | null;
  completed_at: Timestamp | null;
  /** Set by the taskengine once the task's result is ingested (a redelivery then changes nothing). */
  ingested_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ReleasesTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  gather_job_id: string;
  tag: string;
  published_at: Timestamp | null;
  prerelease: Generated<boolean>;
  url: string | null;
  first_seen_at: CreatedAt;
  updated_at: CreatedAt;
  /** endoflife jobs: the release cycle (ReleaseCycle) this release is the latest of. */
  cycle: Json<Record<string, unknown>> | null;
  /** OCI jobs: the digest of the tag's manifest, where the gather read it. */
  digest: string | null;
}

export interface VersionSnapshotsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  scrape_job_id: string;
  version: string;
  raw: string | null;
  commit_sha: string | null;
  source: 'agent' | 'manual';
  task_id: string | null;
  found_at: CreatedAt;
  /** kubernetes: the digest of the deployed image, when its reference carries one. */
  image_digest: string | null;
  /** kubernetes and helm_release: what was read (ScrapeDetails). */
  details: Json<Record<string, unknown>> | null;
}

export interface RulesTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  type: RuleType;
  moderate: number;
  high: number;
  critical: number;
  stable_only: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface AlertConfigsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  gather_job_id: string;
  scrape_job_id: string;
  rule_id: string;
  enabled: Generated<boolean>;
  /** Releases this config skips (never latest, never counted). */
  skip_versions: SkipVersionsColumn;
  /** The endoflife gather job whose cycles an `eol` rule reads. */
  eol_gather_job_id: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface EvaluationsTable {
  alert_config_id: string;
  organization_id: TenantColumn;
  status: 'ok' | 'unknown';
  reason: string | null;
  deployed_version: string | null;
  latest_version: string | null;
  behind_by: number | null;
  severity: SeverityLevel | null;
  details: Json<Record<string, unknown>>;
  evaluated_at: CreatedAt;
}

export interface AlertsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  alert_config_id: string | null;
  alert_config_name: string;
  status: AlertStatus;
  severity: SeverityLevel;
  rule_type: RuleType;
  deployed_version: string;
  latest_version: string;
  behind_by: number;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  /** A snooze (migration 0017): until a time, or until the latest version changes from snooze_latest_version. */
  snoozed_at: Nullable<Date, Date | string>;
  snoozed_until: Nullable<Date, Date | string>;
  snooze_latest_version: Nullable<string>;
  snoozed_by: Nullable<string>;
  snooze_reason: Nullable<string>;
  snoozed_severity: Nullable<SeverityLevel>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  resolved_at: Timestamp | null;
}

export interface AlertEventsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  alert_id: string;
  type: AlertEventKind;
  severity: SeverityLevel;
  deployed_version: string;
  latest_version: string;
  behind_by: number;
  actor: string | null;
  /** False for an event recorded while the alert was snoozed: no notification was sent. */
  notified: Generated<boolean>;
  created_at: CreatedAt;
}

export interface NotificationChannelsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  type: ChannelType;
  url: string;
  secret: string | null;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface NotificationRulesTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  name: string;
  channel_id: string;
  events: AlertEventKind[];
  severities: SeverityLevel[];
  enabled: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface DeliveriesTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  kind: Generated<'event' | 'test'>;
  alert_event_id: string | null;
  channel_id: string;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: Generated<number>;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** The notification.deliver job allowed to attempt the delivery now (others are stale duplicates). */
  job_id: string | null;
  /** Attempts counted against the retry limit: reset by a replay, unlike `attempts`. */
  budget_attempts: Generated<number>;
  replayed_at: Timestamp | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<string>;
  organization_id: TenantColumn;
  delivery_id: string;
  attempted_at: CreatedAt;
  outcome: DeliveryOutcome;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
}

/**
 * The one row saying which revision of the version grammar the stored evaluations follow
 * (migration 0011): installation-wide, of no organization.
 */
export interface VersionGrammarTable {
  singleton: Generated<boolean>;
  revision: number;
  revised_at: CreatedAt;
}

/** The whole Planekeeper schema, as kysely sees it. */
export interface Database {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  ui_sessions: UiSessionsTable;
  agents: AgentsTable;
  agent_enrollment_tokens: AgentEnrollmentTokensTable;
  agent_probes: AgentProbesTable;
  agent_diagnostics: AgentDiagnosticsTable;
  gather_jobs: GatherJobsTable;
  scrape_jobs: ScrapeJobsTable;
  helm_sync_jobs: HelmSyncJobsTable;
  tasks: TasksTable;
  releases: ReleasesTable;
  version_snapshots: VersionSnapshotsTable;
  rules: RulesTable;
  alert_configs: AlertConfigsTable;
  evaluations: EvaluationsTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  notification_channels: NotificationChannelsTable;
  notification_rules: NotificationRulesTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  version_grammar: VersionGrammarTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AgentRow = Selectable<AgentsTable>;
export type AgentEnrollmentTokenRow = Selectable<AgentEnrollmentTokensTable>;
export type AgentProbeRow = Selectable<AgentProbesTable>;
export type AgentDiagnosticsRow = Selectable<AgentDiagnosticsTable>;
export type GatherJobRow = Selectable<GatherJobsTable>;
export type ScrapeJobRow = Selectable<ScrapeJobsTable>;
export type HelmSyncJobRow = Selectable<HelmSyncJobsTable>;
export type TaskRow = Selectable<TasksTable>;
export type ReleaseRow = Selectable<ReleasesTable>;
export type VersionSnapshotRow = Selectable<VersionSnapshotsTable>;
export type RuleRow = Selectable<RulesTable>;
export type AlertConfigRow = Selectable<AlertConfigsTable>;
export type EvaluationRow = Selectable<EvaluationsTable>;
export type AlertRow = Selectable<AlertsTable>;
export type AlertEventRow = Selectable<AlertEventsTable>;
export type NotificationChannelRow = Selectable<NotificationChannelsTable>;
export type NotificationRuleRow = Selectable<NotificationRulesTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type DeliveryAttemptRow = Selectable<DeliveryAttemptsTable>;
export type NewTask = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
