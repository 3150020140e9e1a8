import type { AgentDiagnosticsRow, AgentEnrollmentTokenRow, AgentProbeRow } from '@planekeeper/db';
import type { AgentDiagnosticsView, EnrollmentTokenCreatedResponse, EnrollmentTokenResponse, ProbeReport, ProbeResponse, ProbeTarget } from '@planekeeper/domain';

/** An enrollment token as the API shows it: never the token itself, nor its hash. */
export function presentEnrollmentToken(row: AgentEnrollmentTokenRow): EnrollmentTokenResponse {
  return {
    id: row.id,
    name: row.name,
    tokenPrefix: row.token_prefix,
    capabilities: row.capabilities,
    maxUses: row.max_uses,
    uses: row.uses,
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/** A token just created: the one answer that carries the token. */
export function presentCreatedEnrollmentToken(created: { row: AgentEnrollmentTokenRow; token: string }): EnrollmentTokenCreatedResponse {
  return { ...presentEnrollmentToken(created.row), token: created.token };
}

/** A probe and, once the agent reported, what it found. */
export function presentProbe(row: AgentProbeRow): ProbeResponse {
  return {
    id: row.id,
    agentId: row.agent_id,
    target: row.target as ProbeTarget,
    status: row.status,
    report: (row.result as ProbeReport | null) ?? null,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

/** The configuration an agent last reported (null before its first report). */
export function presentDiagnostics(agentId: string, row: AgentDiagnosticsRow | undefined): AgentDiagnosticsView {
  return { agentId, effectiveConfig: row?.effective_config ?? null, reportedAt: row?.reported_at.toISOString() ?? null };
}
