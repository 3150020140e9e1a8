import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

// The API side of issue 18's sources: their validation, what the claim hands an agent, and the
// release cycles and snapshot details it shows.

let api: ApiUnderTest;
let acme: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
});
afterAll(() => api.stop());

const paths = (answer: { body: { error: { details: Array<{ path: string }> } } }) => answer.body.error.details.map((d) => d.path);
const kubernetesJob = {
  name: 'ingress', parser: 'kubernetes', kubernetes: { namespace: 'ingress-nginx', selector: 'app.kubernetes.io/name=ingress-nginx', container: 'controller' },
  schedule: '*/10 * * * *', credentialName: 'prod-eu',
};

describe('gather jobs of the new source types', () => {
  it.each([
    ['github_tag', { owner: 'nginx', repo: 'nginx' }],
    ['gitlab_release', { project: 'gitlab-org/gitlab-runner', baseUrl: 'https://gitlab.example.com' }],
    ['endoflife', { product: 'kubernetes' }],
  ])('creates a %s job and shows its source as sent', async (sourceType, source) => {
    const answer = await client(api.url, acme.keys.member).post('/api/v1/gather-jobs', { name: sourceType, sourceType, source, schedule: '0 */6 * * *' });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ sourceType, source });
  });

  it('answers 400 naming the fields at fault', async () => {
    const member = client(api.url, acme.keys.member);
    const gitlab = await member.post('/api/v1/gather-jobs', { name: 'x', sourceType: 'gitlab_release', source: { project: 'runner', baseUrl: 'gitlab.com' }, schedule: '0 * * * *' });
    expect(gitlab.status).toBe(400);
    expect(paths(gitlab)).toEqual(['source.project', 'source.baseUrl']);
    const eol = await member.post('/api/v1/gather-jobs', { name: 'x', sourceType: 'endoflife', source: { product: 'Kubernetes/../x' }, schedule: '0 * * * *' });
    expect(eol.body.error.details).toEqual([{ path: 'source.product', message: 'product must be an endoflife.date product id in lower case, e.g. kubernetes or amazon-eks' }]);
  });

  it('shows the release cycle and digest stored with a release', async () => {
    const member = client(api.url, acme.keys.member);
    const job = await member.post('/api/v1/gather-jobs', { name: 'k8s cycles', sourceType: 'endoflife', source: { product: 'kubernetes' }, schedule: '0 0 * * *' });
    const cycle = { name: '1.31', label: '1.31', releaseDate: '2024-08-13', latestVersion: '1.31.5', latestDate: '2025-01-15', lts: false, supportEnds: '2025-08-28', supportEnded: false, eolDate: '2025-10-28', eol: false, extendedSupportEnds: null, maintained: true };
    await sql`INSERT INTO releases (organization_id, gather_job_id, tag, published_at, cycle, digest)
              VALUES (${acme.organizationId}, ${job.body.id}, '1.31.5', '2025-01-15T00:00:00Z', ${JSON.stringify(cycle)}::jsonb, ${`sha256:${'e'.repeat(64)}`})`.execute(api.test.db);
    const releases = await member.get(`/api/v1/gather-jobs/${job.body.id}/releases`);
    expect(releases.body.items).toEqual([expect.objectContaining({ tag: '1.31.5', cycle, digest: `sha256:${'e'.repeat(64)}` })]);
  });
});

describe('scrape jobs that read the cluster', () => {
  it('are created with their settings and handed to an agent of that cluster only', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/scrape-jobs', kubernetesJob);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ parser: 'kubernetes', kubernetes: kubernetesJob.kubernetes, helmRelease: null, repoUrl: null, credentialName: 'prod-eu' });
    const run = await member.post(`/api/v1/scrape-jobs/${created.body.id}/run`, {});
    expect(run.body).toMatchObject({ kind: 'scrape', credentialName: 'prod-eu' });

    const agent = client(api.url, acme.keys.agent);
    const heartbeat = async (name: string, credentials: string[]) =>
      (await agent.post('/api/v1/agent/heartbeat', { name, version: '1', hostname: name, capabilities: ['scrape'], credentials, maxConcurrentTasks: 4 })).body.agentId as string;
    const elsewhere = await heartbeat('site-agent', ['github-pat']);
    expect((await agent.post('/api/v1/agent/tasks/claim', { agentId: elsewhere, max: 5, wait: 0 })).status).toBe(204);
    const inCluster = await heartbeat('prod-eu-agent', ['prod-eu']);
    const claimed = await agent.post('/api/v1/agent/tasks/claim', { agentId: inCluster, max: 5, wait: 0 });
    expect(claimed.body.tasks).toEqual([expect.objectContaining({ kind: 'scrape', credentialName: 'prod-eu', spec: { parser: 'kubernetes', kubernetes: kubernetesJob.kubernetes } })]);
  });

  it('answer 400 for a cluster job without its cluster or with git fields, naming them', async () => {
    const member = client(api.url, acme.keys.member);
    const bare = await member.post('/api/v1/scrape-jobs', { name: 'x', parser: 'helm_release' });
    expect(paths(bare)).toEqual(['helmRelease', 'schedule', 'credentialName']);
    const mixed = await member.post('/api/v1/scrape-jobs', { ...kubernetesJob, repoUrl: 'https://git.example.com/a.git', kubernetes: { ...kubernetesJob.kubernetes, selector: 'app in (a' } });
    expect(paths(mixed)).toEqual(['kubernetes.selector', 'repoUrl']);
  });

  it('change parser on update, forgetting the settings of the old one', async () => {
    const member = client(api.url, acme.keys.member);
    const yq = { name: 'nginx', repoUrl: 'https://git.example.com/platform/cluster.git', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', schedule: '0 * * * *' };
    const job = await member.post('/api/v1/scrape-jobs', yq);
    const incomplete = await member.patch(`/api/v1/scrape-jobs/${job.body.id}`, { parser: 'helm_release', helmRelease: { namespace: 'web', release: 'nginx' } });
    expect(paths(incomplete)).toEqual(['credentialName']);
    const moved = await member.patch(`/api/v1/scrape-jobs/${job.body.id}`, { parser: 'helm_release', helmRelease: { namespace: 'web', release: 'nginx' }, credentialName: 'prod-eu' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ parser: 'helm_release', helmRelease: { namespace: 'web', release: 'nginx' }, repoUrl: null, filePath: null, expression: null });
    const back = await member.patch(`/api/v1/scrape-jobs/${job.body.id}`, { parser: 'yq', repoUrl: yq.repoUrl, filePath: 'values.yaml', expression: '.image.tag', credentialName: null });
    expect(back.body).toMatchObject({ parser: 'yq', helmRelease: null });
    const manualVersion = await member.put(`/api/v1/scrape-jobs/${moved.body.id}/version`, { version: '1.0.0' });
    expect(manualVersion.status).toBe(409);
  });
});
