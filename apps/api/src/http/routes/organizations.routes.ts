import {
  idParamsSchema,
  listEnvelopeSchema,
  listQuerySchema,
  notFound,
  organizationCreatedResponseSchema,
  organizationCreateSchema,
  organizationResponseSchema,
  organizationUpdateSchema,
} from '@planekeeper/domain';
import type { Organization } from '@planekeeper/db';
import { sql } from 'kysely';
import { createApiKey } from '../../db/api-keys.queries.ts';
import { afterCursor, cursorColumn, toPage } from '../pagination.ts';
import { defineRoute, type AuthContext, type RouteDefinition } from '../route.ts';

const tag = 'organizations';

function presentOrganization(row: Organization) {
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString() };
}

/** The bootstrap key sees every organization; any other key only its own. */
function visible(auth: AuthContext, id: string): boolean {
  return auth.bootstrap || auth.organizationId === id;
}

export const organizationsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post', path: '/api/v1/organizations', tag, access: 'bootstrap',
    summary: 'Create an organization (bootstrap key only); answers its first admin key, once',
    body: organizationCreateSchema, response: organizationCreatedResponseSchema,
    handler: async ({ deps, auth, body }) =>
      deps.db.transaction().execute(async (trx) => {
        const organization = await trx.insertInto('organizations').values({ name: body.name }).returningAll().executeTakeFirstOrThrow();
        const adminKey = await createApiKey(trx, organization.id, { name: `${body.name} admin`, role: 'admin' });
        deps.logger.info({ organizationId: organization.id, by: auth.keyId }, 'organization created');
        return { organization: presentOrganization(organization), adminKey };
      }),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/organizations', tag, access: 'read',
    summary: 'List organizations: every one for the bootstrap key, the caller\'s own otherwise',
    query: listQuerySchema, response: listEnvelopeSchema(organizationResponseSchema),
    handler: async ({ deps, auth, query }) => {
      let q = deps.db.selectFrom('organizations').selectAll().select(cursorColumn('organizations').as('cursor_ts'));
      if (!auth.bootstrap) q = q.where('id', '=', auth.organizationId);
      if (query.cursor) q = q.where(afterCursor('organizations', query.cursor));
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
      return toPage(rows, query.limit, presentOrganization);
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/organizations/:id', tag, access: 'read', summary: 'Get an organization',
    params: idParamsSchema, response: organizationResponseSchema,
    handler: async ({ deps, auth, params }) => {
      const row = visible(auth, params.id) ? await deps.db.selectFrom('organizations').selectAll().where('id', '=', params.id).executeTakeFirst() : undefined;
      if (!row) throw notFound('organization', params.id);
      return presentOrganization(row);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/organizations/:id', tag, access: 'admin', summary: 'Rename the caller\'s organization',
    params: idParamsSchema, body: organizationUpdateSchema, response: organizationResponseSchema,
    handler: async ({ deps, auth, params, body }) => {
      if (params.id !== auth.organizationId) throw notFound('organization', params.id);
      const row = await deps.db
        .updateTable('organizations')
        // An empty PATCH still answers the organization: SET name = name, as `SET` cannot be empty.
        .set(body.name === undefined ? { name: sql<string>`name` } : { name: body.name })
        .where('id', '=', params.id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('organization', params.id);
      return presentOrganization(row);
    },
  }),
];
