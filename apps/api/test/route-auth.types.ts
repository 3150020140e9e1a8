// A type-level test, compiled by `pnpm typecheck` and never run: a route's access decides whether
// its handler gets the caller's key. Each line under an expect-error directive must fail to compile.
import type { OrganizationId } from '@planekeeper/domain';
import { defineRoute } from '../src/http/route.ts';

export const keyedRoute = defineRoute({
  method: 'get', path: '/api/v1/example', summary: 'example', tag: 'example', access: 'read',
  // Checked before the handler runs: always there, no cast, no `!`.
  handler: async ({ auth }): Promise<OrganizationId> => auth.organizationId,
});

export const publicRoute = defineRoute({
  method: 'get', path: '/api/v1/example/public', summary: 'example', tag: 'example', access: 'public',
  handler: async ({ auth }) => {
    // @ts-expect-error a public route runs without a key
    return auth.organizationId;
  },
});
