import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { VERSION_PREVIEW_BODY_LIMIT_BYTES } from '../src/http/routes/versions.routes.ts';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
});
afterAll(() => api.stop());

const PATH = '/api/v1/versions/parse';
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000 - 60_000).toISOString();

/** ingress-nginx: one repository, two products, tagged with their dates. */
const INGRESS_NGINX = [
  { tag: 'controller-v1.10.1', publishedAt: daysAgo(200) },
  { tag: 'controller-v1.11.2', publishedAt: daysAgo(120) },
  { tag: 'controller-v1.12.0', publishedAt: daysAgo(30) },
  { tag: 'helm-chart-4.10.1', publishedAt: daysAgo(200) },
  { tag: 'helm-chart-4.12.0', publishedAt: daysAgo(30) },
  { tag: 'controller-v1.13.0-beta.0', publishedAt: daysAgo(5), prerelease: true },
];

/** Posts raw text (or bytes) with headers of its own, as a hostile or careless client would. */
async function postRaw(body: string | Buffer, headers: Record<string, string>) {
  const response = await fetch(`${api.url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { error?: { code: string; details: Array<{ path: string }> } }) : undefined };
}

describe('POST /api/v1/versions/parse', () => {
  it('says how each tag parses and, with a deployed version, the latest and how far behind it is', async () => {
    const answer = await client(api.url, acme.keys.viewer).post(PATH, { tags: [...INGRESS_NGINX, 'latest', '20-alpine', 'jammy-20240911.1'], deployed: 'controller-v1.10.1' });
    expect(answer.status).toBe(200);
    expect(answer.body.tags[0]).toEqual({
      tag: 'controller-v1.10.1', parses: true, prefix: 'controller-v', family: 'controller-', version: '1.10.1', parts: 3,
      prerelease: null, isPrerelease: false, variant: '', build: null, floating: null,
    });
    expect(answer.body.tags.slice(6)).toEqual([
      { tag: 'latest', parses: false, reason: 'no_version', message: expect.any(String), floating: null },
      { tag: '20-alpine', parses: false, reason: 'major_only', message: expect.any(String), floating: 'major_only' },
      { tag: 'jammy-20240911.1', parses: false, reason: 'date_like_major', message: expect.stringContaining('20240911'), floating: null },
    ]);
    expect(answer.body.summary).toEqual({ total: 9, parsed: 6, unparseable: 3, floating: 1, families: [{ family: 'controller-', count: 4 }, { family: 'helm-chart-', count: 2 }] });
    // Within the controller's own family: two minors behind, never three majors behind the chart.
    expect(answer.body.deployed).toMatchObject({
      input: 'controller-v1.10.1', status: 'ok', reason: null, latest: 'controller-v1.12.0',
      majorsBehind: 0, minorsBehind: 2, daysBehind: 200, days: expect.stringContaining('publishedAt of controller-v1.10.1'),
      explanation: {
        family: 'controller-', familyChosenBy: 'deployed', variant: '', stableOnly: true, counted: 3,
        skipped: [
          { reason: 'major_only', count: 1, sample: ['20-alpine'] },
          { reason: 'date_like', count: 1, sample: ['jammy-20240911.1'] },
          { reason: 'unparseable', count: 1, sample: ['latest'] },
          { reason: 'other_family', count: 2, sample: ['helm-chart-4.12.0', 'helm-chart-4.10.1'] },
          { reason: 'prerelease', count: 1, sample: ['controller-v1.13.0-beta.0'] },
        ],
      },
    });

    const prereleases = await client(api.url, acme.keys.member).post(PATH, { tags: INGRESS_NGINX, deployed: 'controller-v1.10.1', stableOnly: false });
    expect(prereleases.body.deployed).toMatchObject({ latest: 'controller-v1.13.0-beta.0', minorsBehind: 3 });
    const bare = await client(api.url, acme.keys.admin).post(PATH, { tags: ['v3.1', 'v3.1.0', 'v3.1.2'] });
    expect(bare.status).toBe(200);
    expect(bare.body.deployed).toBeNull();
    expect(bare.body.tags.map((t: { floating: string | null }) => t.floating)).toEqual(['line_alias', null, null]);
  });

  it('answers a deployed version it cannot place as unknown, with the reason', async () => {
    const answer = await client(api.url, acme.keys.viewer).post(PATH, { tags: ['1.2.0', '1.3.0'], deployed: '1.2.5' });
    expect(answer.status).toBe(200);
    expect(answer.body.deployed).toMatchObject({ status: 'unknown', reason: expect.stringContaining('is not among the 2 gathered releases'), latest: '1.3.0', majorsBehind: null });
  });

  it('refuses bad input with 400 naming the field at fault, never 500', async () => {
    const viewer = client(api.url, acme.keys.viewer);
    const cases: Array<[unknown, string[]]> = [
      [{}, ['tags']],
      [{ tags: 'v1.2.3' }, ['tags']],
      [{ tags: ['1.2.3', 5, '   '] }, ['tags.1', 'tags.2']],
      [{ tags: ['x'.repeat(257)] }, ['tags.0']],
      [{ tags: [{ tag: '1.2.3', publishedAt: 'yesterday' }] }, ['tags.0.publishedAt']],
      [{ tags: [{ tag: '1.2.3', prerelease: 'no' }] }, ['tags.0']],
      [{ tags: [], deployed: 5, stableOnly: 'yes' }, ['deployed', 'stableOnly']],
      // A preview runs no user regex: a tag filter is not a field of it.
      [{ tags: ['v1.2.3'], tagFilter: '^(a+)+$' }, ['tagFilter']],
      [{ tags: Array.from({ length: 10_001 }, (_, i) => `1.${i}.0`) }, ['tags']],
      [['1.2.3'], ['']],
    ];
    for (const [body, fields] of cases) {
      const answer = await viewer.post(PATH, body);
      expect({ body, status: answer.status, code: answer.body.error?.code }).toEqual({ body, status: 400, code: 'validation_failed' });
      expect(answer.body.error.details.map((d: { path: string }) => d.path)).toEqual(fields);
    }
    const notJson = await postRaw('{"tags": [', { authorization: `Bearer ${acme.keys.viewer}` });
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
  });

  it('is read access: any key of the organization but an agent key', async () => {
    expect((await client(api.url, acme.keys.agent).post(PATH, { tags: ['1.2.3'] })).status).toBe(403);
    expect((await client(api.url).post(PATH, { tags: ['1.2.3'] })).status).toBe(401);
    expect((await client(api.url, acme.keys.viewer).get(PATH)).status).toBe(404);
  });

  it('takes 10,000 tags of 256 characters, a body above the default limit of other routes', async () => {
    // Each tag its own release of one variant: v<n>.0.0-<variant>, padded to the longest length with a build number.
    const tags = Array.from({ length: 10_000 }, (_, i) => {
      const head = `v${i}.0.0-${'a'.repeat(200)}-`;
      return `${head}${'1'.repeat(256 - head.length)}`;
    });
    const body = JSON.stringify({ tags, deployed: tags[0] });
    expect(body.length).toBeGreaterThan(2_500_000);
    const answer = await postRaw(body, { authorization: `Bearer ${acme.keys.viewer}` });
    expect(answer.status).toBe(200);
    const preview = answer.body as unknown as { summary: { total: number; parsed: number }; deployed: { majorsBehind: number } };
    expect(preview.summary).toMatchObject({ total: 10_000, parsed: 10_000 });
    expect(preview.deployed.majorsBehind).toBe(9_999);

    // Above the route's own limit: 413, before any parsing.
    const tooLarge = JSON.stringify({ tags: [...tags, ...tags].slice(0, 15_000) });
    expect(tooLarge.length).toBeGreaterThan(VERSION_PREVIEW_BODY_LIMIT_BYTES);
    expect((await postRaw(tooLarge, { authorization: `Bearer ${acme.keys.viewer}` })).body?.error?.code).toBe('payload_too_large');
    // Every other route keeps the default limit (1 MiB).
    const rule = await fetch(`${api.url}/api/v1/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.keys.admin}` },
      body: JSON.stringify({ name: 'x'.repeat(1_100_000), type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true }),
    });
    expect(rule.status).toBe(413);
  });

  it('reads no body before the caller is known: a bad key or none is refused without parsing it', async () => {
    const large = JSON.stringify({ tags: Array.from({ length: 10_000 }, (_, i) => `${i}.0.0-${'b'.repeat(240)}`) });
    const cases: Array<Record<string, string>> = [{}, { authorization: 'Bearer pk_not_a_key_at_all' }, { authorization: `Bearer ${acme.keys.agent}` }];
    for (const headers of cases) {
      // Not JSON at all, too large, or a gzip bomb: the answer is about the key, never about the body.
      expect((await postRaw('{"tags": [', headers)).status).not.toBe(400);
      for (const body of [large, `${large}${large}`]) expect((await postRaw(body, headers)).body?.error?.code).toMatch(/^(unauthorized|forbidden)$/);
      const bomb = gzipSync(Buffer.from(`{"tags":["${'1'.repeat(50_000_000)}"]}`));
      expect((await postRaw(bomb, { ...headers, 'content-encoding': 'gzip' })).body?.error?.code).toMatch(/^(unauthorized|forbidden)$/);
    }
    // The same gzip bomb from a known caller: bounded by its inflated size.
    const bomb = gzipSync(Buffer.from(`{"tags":["${'1'.repeat(50_000_000)}"]}`));
    expect((await postRaw(bomb, { authorization: `Bearer ${acme.keys.viewer}`, 'content-encoding': 'gzip' })).body?.error?.code).toBe('payload_too_large');
  });
});
