import type { Organization } from '@planekeeper/db';
import type { OrganizationResponse } from '@planekeeper/domain';

export function presentOrganization(row: Organization): OrganizationResponse {
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString() };
}
