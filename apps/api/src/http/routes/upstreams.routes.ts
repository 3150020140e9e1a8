import { idSchema, upstreamDetailQuerySchema, upstreamDetailResponseSchema, upstreamListQuerySchema, upstreamListResponseSchema } from '@planekeeper/domain';
import { z } from 'zod';
import { getUpstream, listUpstreams } from '../../services/upstreams.ts';
import { pageRequest, toPage } from '../pagination.ts';
import { presentCounts, presentUpstream, presentUpstreamDetail } from '../present/upstreams.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'upstreams';
const paramsSchema = z.strictObject({ gatherJobId: idSchema });

export const upstreamsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/api/v1/upstreams', tag, access: 'read',
    summary: 'One upstream across every deployment: gather jobs with their deployments on latest, behind, unknown, past end of life, and the organization\'s totals (libyear summed)',
    query: upstreamListQuerySchema, response: upstreamListResponseSchema,
    handler: async ({ deps, auth, query }) => {
      const { rows, totals } = await listUpstreams(deps.db, auth.organizationId, query, pageRequest(query));
      return { ...toPage(rows, query.limit, presentUpstream), totals: presentCounts(totals) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/upstreams/:gatherJobId', tag, access: 'read',
    summary: 'One upstream with every deployment\'s version, lag, libyear and end of life',
    params: paramsSchema, query: upstreamDetailQuerySchema, response: upstreamDetailResponseSchema,
    handler: async ({ deps, auth, params, query }) => {
      const { upstream, deployments } = await getUpstream(deps.db, auth.organizationId, params.gatherJobId, query.status);
      return presentUpstreamDetail(upstream, deployments);
    },
  }),
];
