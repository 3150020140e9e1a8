import { generateApiKey, type ApiKeyRow, type Database } from '@planekeeper/db';
import type { ApiKeyRole, OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { insertApiKey } from '../db/api-keys.queries.ts';

/** A key just created, with the key itself: shown in this one answer, stored only as a hash. */
export interface CreatedApiKey {
  row: ApiKeyRow;
  key: string;
}

/** Creates an API key of the organization (in the caller's transaction when `db` is one). */
export async function createApiKey(db: Kysely<Database>, organizationId: OrganizationId, input: { name: string; role: ApiKeyRole; agentId?: string }): Promise<CreatedApiKey> {
  const generated = generateApiKey();
  const row = await insertApiKey(db, organizationId, { name: input.name, role: input.role, keyHash: generated.hash, keyPrefix: generated.prefix, ...(input.agentId === undefined ? {} : { agentId: input.agentId }) });
  return { row, key: generated.key };
}
