import { z } from 'zod';
import { defaultStatus, type Access, type RouteDefinition } from './route.ts';

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

const relink = (schema: JsonSchema): JsonSchema => JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;

/**
 * Converts a zod schema to JSON Schema 2020-12 (what OpenAPI 3.1 uses). Named schemas (zod
 * `.meta({ id })`) land in `components.schemas` and are referenced from there; `inlineRoot` keeps
 * the schema itself inline even when it is named (parameters are listed one by one, never by $ref).
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>, inlineRoot = false): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline', cycles: 'ref' }) as JsonSchema;
  const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
  delete json.$schema;
  delete json.$defs;
  let root = json;
  // A named schema comes back as a $ref to itself among its $defs.
  const rootName = typeof json.$ref === 'string' && json.$ref.startsWith('#/$defs/') ? json.$ref.slice('#/$defs/'.length) : undefined;
  if (inlineRoot && rootName && defs[rootName]) {
    root = defs[rootName];
    delete defs[rootName];
  }
  for (const [name, def] of Object.entries(defs)) components[name] = relink(def);
  return relink(root);
}

function parameters(route: RouteDefinition, components: Record<string, JsonSchema>): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input', components, true);
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

/** Who is refused (403) at each access level; see `authorize` in auth.ts. */
const FORBIDDEN: Record<Exclude<Access, 'public'>, string> = {
  read: 'An agent key: agent keys reach only the agent API (/api/v1/agent)',
  write: 'A viewer or agent key: this needs an admin or member key',
  admin: 'A member, viewer or agent key: this needs an admin key',
  bootstrap: 'Any key but the installation\'s bootstrap key',
  agent: 'A key that is not an agent key: the agent API takes agent keys only',
};

const errorResponse = (description: string, headers?: JsonSchema): JsonSchema => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * The 4xx answers a route can give, read from its declaration the way server.ts and errors.ts
 * answer: input is validated (400), keys are checked, their roles and their rate (401, 403, 429),
 * a path id may name nothing in the caller's organization (404), a write may meet a unique name,
 * a row still referenced or a state that forbids it (409), a body may be too large (413). Every
 * write declares the 409, the few that never meet one (a heartbeat, a claim) too: a client that
 * handles a 409 it never gets loses nothing, one that meets an undeclared 409 does.
 */
function bodyLimitText(limit: RouteDefinition['bodyLimit']): string {
  if (limit === undefined) return 'the API\'s body limit';
  if (limit === 'agent_results') return 'the task result limit (API_AGENT_RESULT_LIMIT_BYTES)';
  return `${limit} bytes`;
}

function errorResponses(route: RouteDefinition): Record<string, JsonSchema> {
  const takesInput = Boolean(route.params || route.query || route.body);
  const out: Record<string, JsonSchema> = {
    // express.json reads a JSON body on any route, so even a route without input refuses a malformed one.
    '400': errorResponse(takesInput ? 'Invalid request (code validation_failed): the fields at fault are in error.details' : 'A request body that is not valid JSON (code validation_failed); this operation reads none'),
  };
  if (route.access !== 'public') {
    out['401'] = errorResponse('Missing, unknown or revoked API key (code unauthorized)');
    out['403'] = errorResponse(`${FORBIDDEN[route.access]} (code forbidden)`);
  }
  if (route.params) out['404'] = errorResponse('Not found in the caller\'s organization (code not_found)');
  if (route.method !== 'get' && route.access !== 'public') {
    out['409'] = errorResponse('Conflicts with the current state (code conflict): a name already in use, a resource other resources still use, a stale lease, or a state that does not allow this');
  }
  if (route.body) out['413'] = errorResponse(`Request body larger than ${bodyLimitText(route.bodyLimit)} (code payload_too_large)`);
  if (route.access !== 'public') {
    out['429'] = errorResponse('Too many requests from this key, or too many without a valid key from this address (code rate_limited)', {
      'Retry-After': { description: 'Seconds until the key\'s window reopens', schema: { type: 'integer', minimum: 1 } },
    });
  }
  for (const [status, description] of Object.entries(route.errors ?? {})) out[status] = errorResponse(description);
  return out;
}

/**
 * Planekeeper is not published under an open licence (every package.json says `private`): the
 * document says so in SPDX's form for a licence that is not on its list.
 */
const LICENSE = { name: 'Proprietary', identifier: 'LicenseRef-Planekeeper-Proprietary' };

/**
 * Where the paths (absolute, /api/v1/...) are served: PUBLIC_URL when the installation sets one,
 * else the host that served the document (OpenAPI's own default, `/`, said out loud).
 */
function server(publicUrl: string | undefined): JsonSchema {
  if (!publicUrl) return { url: '/', description: 'The host that served this document' };
  return { url: publicUrl.replace(/\/+$/, ''), description: 'This installation (PUBLIC_URL)' };
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
    Object.assign(responses, errorResponses(route));
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
      license: LICENSE,
    },
    servers: [server(options.serverUrl)],
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
