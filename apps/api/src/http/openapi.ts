import type { ErrorCode } from '@planekeeper/domain';
import { z } from 'zod';
import { ERROR_HTTP_STATUS } from './errors.ts';
import { defaultStatus, type RouteDefinition } from './route.ts';

type JsonSchema = Record<string, unknown>;

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', examples: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'rate_limited'] },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

/**
 * Converts a zod schema to JSON Schema 2020-12 (what OpenAPI 3.1 uses). Named schemas (zod
 * `.meta({ id })`) land in `components.schemas` and are referenced from there.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline', cycles: 'ref' }) as JsonSchema;
  delete json.$schema;
  const defs = json.$defs as Record<string, JsonSchema> | undefined;
  delete json.$defs;
  const text = JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/');
  for (const [name, def] of Object.entries(defs ?? {})) {
    components[name] = JSON.parse(JSON.stringify(def).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  }
  // A schema with an id is itself emitted under its id: reference it.
  const id = typeof json.id === 'string' ? json.id : undefined;
  const parsed = JSON.parse(text) as JsonSchema;
  if (id) {
    delete parsed.id;
    components[id] = parsed;
    return { $ref: `#/components/schemas/${id}` };
  }
  return parsed;
}

function parameters(route: RouteDefinition, components: Record<string, JsonSchema>): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input', components);
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: property, ...(property.description ? { description: property.description } : {}) });
    }
  }
  return out;
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `get /api/v1/gather-jobs/:id/releases` -> `getGatherJobsByIdReleases`. */
function operationId(route: RouteDefinition): string {
  const segments = route.path
    .replace(/^\/api\/v1\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith(':') ? `By${capitalize(s.slice(1))}` : s.split(/[-_.]/).map(capitalize).join('')));
  return `${route.method}${segments.join('')}`;
}

/** The OpenAPI 3.1 document of the route table: generated from the schemas that validate requests. */
export function buildOpenApiDocument(routes: RouteDefinition[], options: { version: string; serverUrl?: string }): JsonSchema {
  const components: Record<string, JsonSchema> = { Error: errorSchema };
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const status = String(defaultStatus(route));
    const responses: Record<string, JsonSchema> = {
      [status]: route.response
        ? { description: 'Success', content: { 'application/json': { schema: toSchema(route.response, 'output', components) } } }
        : { description: 'Success, no body' },
    };
    const addErrorResponse = (code: ErrorCode, description: string) => {
      responses[String(ERROR_HTTP_STATUS[code])] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    };
    if (route.params || route.query || route.body) addErrorResponse('validation_failed', 'Invalid request: the fields at fault are in error.details');
    if (route.access !== 'public') {
      addErrorResponse('unauthorized', 'Missing, unknown or revoked API key');
      addErrorResponse('forbidden', 'The key\'s role may not do this');
      addErrorResponse('rate_limited', 'Rate limit exceeded; see Retry-After');
    }
    if (route.params) addErrorResponse('not_found', 'Not found in the caller\'s organization');
    if (route.body) addErrorResponse('payload_too_large', route.bodyLimit === undefined ? 'Request body too large' : `Request body larger than ${route.bodyLimit} bytes`);
    const operation: JsonSchema = {
      operationId: operationId(route),
      summary: route.summary,
      tags: [route.tag],
      parameters: parameters(route, components),
      responses,
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input', components) } } } } : {}),
    };
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Planekeeper API',
      version: options.version,
      description: 'How far behind upstream the software you run is. Automation API under /api/v1, agent protocol under /api/v1/agent.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer pk_...' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}
