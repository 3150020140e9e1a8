import type { ApiKeyRow } from '@planekeeper/db';
import type { ApiKeyCreatedResponse, ApiKeyResponse } from '@planekeeper/domain';

/** A key as the API shows it: never the key itself, nor its hash. */
export function presentApiKey(row: ApiKeyRow): ApiKeyResponse {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    keyPrefix: row.key_prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** A key just created: the one answer that carries the key. */
export function presentCreatedApiKey(created: { row: ApiKeyRow; key: string }): ApiKeyCreatedResponse {
  return { ...presentApiKey(created.row), key: created.key };
}
