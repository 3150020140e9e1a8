// The shapes the CLI reads from the API (its OpenAPI document, /api/v1/openapi.json, is the
// contract). Only the fields the CLI shows are named; JSON and YAML output print all of them.

export interface Agent {
  id: string;
  name: string;
  version: string;
  maxConcurrentTasks: number;
  lastHeartbeatAt: string;
  online: boolean;
  draining: boolean;
  /** online | stale | offline, from servers that report it; older ones say only `online`. */
  status?: string;
  /** Two live processes share the agent (servers from issue 16 on). */
  duplicateInstances?: boolean;
  /** Agent clock minus server clock, seconds; null when the agent does not send its clock. */
  clockSkewSeconds?: number | null;
  /** Clock skew beyond 30 s, duplicate instances: one sentence each. */
  warnings?: string[];
  [field: string]: unknown;
}

export interface Task {
  id: string;
  kind: string;
  jobId: string;
  status: string;
  claimedBy: string | null;
  claimedAt: string | null;
  leaseExpiresAt: string | null;
  attempts: number;
  error: string | null;
  createdAt: string;
}

export interface Alert {
  id: string;
  alertConfigName: string;
  ruleType: string;
  status: string;
  severity: string;
  deployedVersion: string;
  latestVersion: string;
  behindBy: number;
  acknowledged: boolean;
  createdAt: string;
}

export interface GatherJob {
  id: string;
  name: string;
  sourceType: string;
  source: Record<string, string | undefined>;
  schedule: string;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
}

export interface ScrapeJob {
  id: string;
  name: string;
  parser: string;
  repoUrl: string | null;
  ref: string | null;
  filePath: string | null;
  kubernetes?: { namespace: string; selector: string } | null;
  helmRelease?: { namespace: string; release: string } | null;
  credentialName?: string | null;
  schedule: string | null;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
}

export interface ApiKeyCreated {
  id: string;
  name: string;
  role: string;
  key: string;
}

/** `POST /api/v1/agent-enrollment-tokens` answer; `token` is shown only there. */
export interface EnrollmentTokenCreated {
  id: string;
  name: string;
  maxUses: number;
  uses: number;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
  token: string;
}
