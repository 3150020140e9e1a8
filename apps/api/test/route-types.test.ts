import { describe, expect, it } from '@jest/globals';
import { defineRoute } from '../src/http/route.ts';

// What the compiler says about a route's caller (`pnpm typecheck` checks this file).

describe("a route's caller", () => {
  it('is typed by its access: a public route has none', () => {
    const open = defineRoute({
      method: 'get', path: '/api/v1/open', tag: 'meta', summary: 'open', access: 'public',
      // @ts-expect-error a public route has no caller to read
      handler: async ({ auth }) => auth.organizationId,
    });
    const guarded = defineRoute({
      method: 'get', path: '/api/v1/guarded', tag: 'meta', summary: 'guarded', access: 'read',
      handler: async ({ auth }) => auth.organizationId,
    });
    expect([open.access, guarded.access]).toEqual(['public', 'read']);
  });
});
