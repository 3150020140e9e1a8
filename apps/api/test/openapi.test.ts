import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validate } from '@readme/openapi-parser';
import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { request } from 'node:http';
import { buildOpenApiDocument } from '../src/http/openapi.ts';
import { allRoutes } from '../src/http/routes/index.ts';
import { client, startApi, type ApiUnderTest } from './helpers/api-server.ts';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

describe('GET /api/v1/openapi.json', () => {
  it('needs no key and is a valid OpenAPI 3.1 document', async () => {
    const answer = await client(api.url).get('/api/v1/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(answer.body));
    if (!result.valid) throw new Error(`invalid OpenAPI document: ${JSON.stringify(result.errors, null, 2)}`);
  });

  it('lists every route of the table with absolute paths', async () => {
    const { body } = await client(api.url).get('/api/v1/openapi.json');
    const documented = new Set(
      Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    const routes = allRoutes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) expect(documented).toContain(route);
    for (const path of Object.keys(body.paths)) expect(path.startsWith('/api/v1/')).toBe(true);
  });

  it('describes request bodies with the same schemas that validate them', async () => {
    const { body } = await client(api.url).get('/api/v1/openapi.json');
    const createRule = body.paths['/api/v1/rules'].post;
    const ref = createRule.requestBody.content['application/json'].schema.$ref as string;
    const schema = body.components.schemas[ref.split('/').pop()!];
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'type', 'moderate', 'high', 'critical']));
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes the parse preview, with its own body limit', async () => {
    const { body } = await client(api.url).get('/api/v1/openapi.json');
    const preview = body.paths['/api/v1/versions/parse'].post;
    expect(preview.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/VersionPreviewRequest' });
    expect(preview.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/VersionPreview' });
    expect(preview.responses['413'].description).toBe('Request body larger than 3840000 bytes (code payload_too_large)');
    expect(body.paths['/api/v1/rules'].post.responses['413'].description).toBe("Request body larger than the API's body limit (code payload_too_large)");
  });

  it('describes the explanation an evaluation carries', async () => {
    const { body } = await client(api.url).get('/api/v1/openapi.json');
    const evaluation = body.components.schemas.Evaluation;
    expect(evaluation.required).toContain('explanation');
    const explanation = JSON.stringify(evaluation.properties.explanation);
    expect(explanation).toContain('#/components/schemas/EvaluationExplanation');
    const schema = body.components.schemas.EvaluationExplanation;
    expect(Object.keys(schema.properties)).toEqual(['family', 'familyChosenBy', 'variant', 'stableOnly', 'deployed', 'latest', 'counted', 'skipped', 'countedFrom']);
  });
});

/**
 * Redocly's `recommended` ruleset, every rule at the severity it ships with: none is turned off,
 * and a warning fails the test as an error does.
 */
async function lintRecommended(document: unknown): Promise<string[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems: NormalizedProblem[] = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
  return problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`);
}

type Operation = { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> };

describe('the OpenAPI document against Redocly\'s recommended rules', () => {
  it('the served document (no PUBLIC_URL) has no error and no warning, and names the serving host as its server', async () => {
    const { body } = await client(api.url).get('/api/v1/openapi.json');
    expect(await lintRecommended(body)).toEqual([]);
    expect(body.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(body.info.license).toEqual(expect.objectContaining({ name: expect.any(String) }));
  });

  it('the document of an installation with a PUBLIC_URL has no error and no warning, and names that URL as its server', async () => {
    const document = buildOpenApiDocument(allRoutes, { version: '1.0.0', serverUrl: 'https://planekeeper.acme.test/' }) as { servers: unknown };
    expect(await lintRecommended(document)).toEqual([]);
    expect(document.servers).toEqual([expect.objectContaining({ url: 'https://planekeeper.acme.test' })]);
  });

  it('lists each query parameter of a named query schema (GET /organizations: limit and cursor)', async () => {
    const { body } = await client(api.url).get('/api/v1/openapi.json');
    const names = (body.paths['/api/v1/organizations'].get.parameters as { name: string; in: string }[]).map((p) => `${p.in} ${p.name}`);
    expect(names).toEqual(expect.arrayContaining(['query limit', 'query cursor']));
  });

  it('every operation declares the 4xx answers its declaration implies, each with the error envelope', async () => {
    const { body } = await client(api.url).get('/api/v1/openapi.json');
    const paths = body.paths as Record<string, Record<string, Operation>>;
    for (const route of allRoutes) {
      const operation = paths[route.path.replace(/:(\w+)/g, '{$1}')]![route.method]!;
      const statuses = Object.keys(operation.responses).filter((s) => s.startsWith('4'));
      const expected = ['400'];
      if (route.access !== 'public') expected.push('401', '403', '429');
      if (route.params) expected.push('404');
      if (route.method !== 'get' && route.access !== 'public') expected.push('409');
      if (route.body) expected.push('413');
      expect({ route: `${route.method} ${route.path}`, statuses: expect.arrayContaining(expected) }).toEqual({ route: `${route.method} ${route.path}`, statuses });
      for (const status of statuses) {
        expect(operation.responses[status]!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Error');
      }
    }
    // A 404 that no path id implies is declared by its route: claiming for an agent that never sent a heartbeat.
    expect(Object.keys(paths['/api/v1/agent/tasks/claim']!.post!.responses)).toContain('404');
  });

  it('a route that reads no input still refuses a malformed JSON body with 400 validation_failed, as documented', async () => {
    const malformed = '{"not json';
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const call = request(`${api.url}/api/v1/agent/health`, { method: 'GET', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(malformed)) } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      call.on('error', reject).end(malformed);
    });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual({ error: expect.objectContaining({ code: 'validation_failed' }) });
  });
});
