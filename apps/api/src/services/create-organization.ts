import type { Organization } from '@planekeeper/db';
import { insertOrganization } from '../db/organizations.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { createApiKey, type CreatedApiKey } from './api-keys.ts';

/**
 * Creates an organization with its first admin key, in one transaction: an organization is never
 * left without a key that can manage it.
 */
export async function createOrganization(
  deps: Pick<ApiDeps, 'db' | 'logger'>,
  input: { name: string; by: string },
): Promise<{ organization: Organization; adminKey: CreatedApiKey }> {
  const created = await deps.db.transaction().execute(async (trx) => {
    const organization = await insertOrganization(trx, input.name);
    const adminKey = await createApiKey(trx, organization.id, { name: `${input.name} admin`, role: 'admin' });
    return { organization, adminKey };
  });
  deps.logger.info({ organizationId: created.organization.id, by: input.by }, 'organization created');
  return created;
}
