// A type-level test: `pnpm typecheck` compiles this file and jest never runs it. Each line under an
// expect-error directive must fail to compile, or the directive itself fails the check: a resource
// id passed where the organization belongs, or a plain string used as an organization, is a type error.
import { findOpenAlerts, recordVersionSnapshot, type Database } from '@planekeeper/db';
import { trustedOrganizationId, type OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { findRule } from '../src/db/rules.queries.ts';
import { findDelivery } from '../src/db/deliveries.queries.ts';
import { scrapeJobs } from '../src/services/job-kinds.ts';
import { jobOr404 } from '../src/services/jobs.ts';

export async function tenantQueriesTakeTheOrganizationFirst(db: Kysely<Database>, organizationId: OrganizationId, resourceId: string) {
  await findRule(db, organizationId, resourceId);
  // @ts-expect-error the two ids swapped: a rule's id is not an OrganizationId
  await findRule(db, resourceId, organizationId);

  await findDelivery(db, organizationId, resourceId);
  // @ts-expect-error the two ids swapped
  await findDelivery(db, resourceId, organizationId);

  await jobOr404(db, organizationId, scrapeJobs, resourceId);
  // @ts-expect-error the two ids swapped, in a service
  await jobOr404(db, resourceId, scrapeJobs, organizationId);

  // The queries packages/db shares between apps take one too.
  await findOpenAlerts(db, organizationId, [resourceId]);
  // @ts-expect-error a resource id where the organization belongs
  await findOpenAlerts(db, resourceId, [resourceId]);
  // @ts-expect-error the same, in a shared write
  await recordVersionSnapshot(db, resourceId, { scrapeJobId: resourceId, version: '1.0.0', source: 'manual' });
}

export async function theTenantColumnTakesOnlyAnOrganization(db: Kysely<Database>, organizationId: OrganizationId, resourceId: string) {
  await db.selectFrom('rules').select('id').where('organization_id', '=', organizationId).execute();
  // @ts-expect-error a query written by hand cannot filter a tenant by a plain string either
  await db.selectFrom('rules').select('id').where('organization_id', '=', resourceId).execute();
}

export function anOrganizationIdIsMadeOnPurpose(fromPayload: string): OrganizationId {
  // @ts-expect-error a string is not an OrganizationId
  const guessed: OrganizationId = fromPayload;
  void guessed;
  return trustedOrganizationId(fromPayload);
}
