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
import {
  findOrganization,
  findOrganizationAcrossOrganizations,
  listOrganizationsAcrossOrganizations,
  listOwnOrganization,
  renameOrganization,
} from '../../db/organizations.queries.ts';
import { createOrganization } from '../../services/create-organization.ts';
import { listPage } from '../pagination.ts';
import { presentCreatedApiKey } from '../present/api-keys.ts';
import { presentOrganization } from '../present/organizations.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const tag = 'organizations';

export const organizationsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post', path: '/api/v1/organizations', tag, access: 'bootstrap',
    summary: 'Create an organization (bootstrap key only); answers its first admin key, once',
    body: organizationCreateSchema, response: organizationCreatedResponseSchema,
    handler: async ({ deps, auth, body }) => {
      const { organization, adminKey } = await createOrganization(deps, { name: body.name, by: auth.keyId });
      return { organization: presentOrganization(organization), adminKey: presentCreatedApiKey(adminKey) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/organizations', tag, access: 'read',
    summary: 'List organizations: every one for the bootstrap key, the caller\'s own otherwise',
    query: listQuerySchema, response: listEnvelopeSchema(organizationResponseSchema),
    handler: ({ deps, auth, query }) =>
      listPage(query, (page) => (auth.bootstrap ? listOrganizationsAcrossOrganizations(deps.db, page) : listOwnOrganization(deps.db, auth.organizationId, page)), presentOrganization),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/organizations/:id', tag, access: 'read', summary: 'Get an organization',
    params: idParamsSchema, response: organizationResponseSchema,
    handler: async ({ deps, auth, params }) => {
      // The bootstrap key sees every organization; any other key only its own.
      const row = auth.bootstrap
        ? await findOrganizationAcrossOrganizations(deps.db, params.id)
        : params.id === auth.organizationId ? await findOrganization(deps.db, auth.organizationId) : undefined;
      if (!row) throw notFound('organization', params.id);
      return presentOrganization(row);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/organizations/:id', tag, access: 'admin', summary: 'Rename the caller\'s organization',
    params: idParamsSchema, body: organizationUpdateSchema, response: organizationResponseSchema,
    handler: async ({ deps, auth, params, body }) => {
      if (params.id !== auth.organizationId) throw notFound('organization', params.id);
      const row = await renameOrganization(deps.db, auth.organizationId, body.name);
      if (!row) throw notFound('organization', params.id);
      return presentOrganization(row);
    },
  }),
];
