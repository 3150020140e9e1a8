import { notFound, type OrganizationId, type UpstreamListQuery } from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import type { Kysely } from 'kysely';
import type { PageRequest } from '../db/keyset.ts';
import { findUpstream, upstreamDeployments, upstreamPage, upstreamTotals } from '../db/upstreams.queries.ts';

/** A page of upstreams (gather jobs alert configs compare with), and the organization's totals. */
export async function listUpstreams(db: Kysely<Database>, organizationId: OrganizationId, query: UpstreamListQuery, page: PageRequest) {
  const [rows, totals] = await Promise.all([upstreamPage(db, organizationId, query, page), upstreamTotals(db, organizationId)]);
  return { rows, totals };
}

/** One upstream with every deployment (optionally those in one state). @throws not_found */
export async function getUpstream(db: Kysely<Database>, organizationId: OrganizationId, gatherJobId: string, status: UpstreamListQuery['status']) {
  const upstream = await findUpstream(db, organizationId, gatherJobId);
  if (!upstream) throw notFound('gather job', gatherJobId);
  return { upstream, deployments: await upstreamDeployments(db, organizationId, gatherJobId, status) };
}
