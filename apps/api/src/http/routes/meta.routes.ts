import { z } from 'zod';
import { buildOpenApiDocument } from '../openapi.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

/** The version the OpenAPI document states. */
export const API_VERSION = '1.0.0';

/** Routes about the API itself; the OpenAPI document is built lazily from the full table. */
export function metaRoutes(table: () => RouteDefinition[]): RouteDefinition[] {
  let document: unknown;
  return [
    defineRoute({
      method: 'get', path: '/api/v1/openapi.json', tag: 'meta', access: 'public',
      summary: 'This OpenAPI 3.1 document (no key needed)',
      response: z.object({ openapi: z.string() }).loose(),
      handler: async ({ deps }) =>
        (document ??= buildOpenApiDocument(table(), { version: API_VERSION, ...(deps.config.PUBLIC_URL ? { serverUrl: deps.config.PUBLIC_URL } : {}) })),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/agent/health', tag: 'agent', access: 'public',
      summary: 'Reachability check for agents (curl $AGENT_SERVER_URL/health)',
      response: z.object({ status: z.literal('ok'), serverTime: z.string() }),
      handler: async ({ deps }) => ({ status: 'ok' as const, serverTime: deps.clock().toISOString() }),
    }),
  ];
}
