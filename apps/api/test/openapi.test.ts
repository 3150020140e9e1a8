import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validate } from '@readme/openapi-parser';
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
    expect(preview.responses['413'].description).toBe('Request body larger than 3840000 bytes');
    expect(body.paths['/api/v1/rules'].post.responses['413'].description).toBe('Request body too large');
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
