import { describe, expect, it } from '@jest/globals';
import { labelSelectorProblem } from './cluster-targets.ts';
import { gatherJobCreateSchema, gatherJobUpdateSchema } from './gather-jobs.ts';
import { gatherResultSchema, scrapeResultSchema } from './agents.ts';
import { schemaProblems } from './parse.ts';
import { scrapeJobCreateSchema, scrapeJobIssues } from './scrape-jobs.ts';
import { scrapeTaskSpecSchema } from './tasks.ts';

const paths = (schema: Parameters<typeof schemaProblems>[0], data: unknown): string[] => schemaProblems(schema, data).map((p) => p.path);
const messages = (schema: Parameters<typeof schemaProblems>[0], data: unknown): string[] => schemaProblems(schema, data).map((p) => `${p.path}: ${p.message}`);

const job = (sourceType: string, source: unknown) => ({ name: 'x', sourceType, source, schedule: '0 */6 * * *' });

describe('gather sources github_tag, gitlab_release and endoflife', () => {
  it.each([
    ['github_tag', job('github_tag', { owner: 'nginx', repo: 'nginx' })],
    ['github_tag on GHE', job('github_tag', { owner: 'org', repo: 'app', baseUrl: 'https://ghe.example.com/api/v3' })],
    ['gitlab_release by path', job('gitlab_release', { project: 'gitlab-org/gitlab-runner' })],
    ['gitlab_release by subgroup path, self-hosted', job('gitlab_release', { project: 'platform/tools/deployer', baseUrl: 'https://gitlab.example.com' })],
    ['gitlab_release by id', job('gitlab_release', { project: '278964' })],
    ['endoflife', job('endoflife', { product: 'kubernetes' })],
    ['endoflife on a mirror', job('endoflife', { product: 'amazon-eks', baseUrl: 'https://eol.example.internal' })],
  ])('accepts %s', (_name, body) => {
    expect(messages(gatherJobCreateSchema, body)).toEqual([]);
  });

  it.each([
    ['gitlab project without a group', job('gitlab_release', { project: 'runner' }), ['source.project']],
    ['gitlab project with ..', job('gitlab_release', { project: 'group/../x' }), ['source.project']],
    ['gitlab project with a query', job('gitlab_release', { project: 'group/app?private_token=x' }), ['source.project']],
    ['gitlab owner/repo instead of project', job('gitlab_release', { owner: 'a', repo: 'b' }), ['source.project', 'source.owner', 'source.repo']],
    ['endoflife product in capitals', job('endoflife', { product: 'Kubernetes' }), ['source.product']],
    ['endoflife product with a slash', job('endoflife', { product: '../admin' }), ['source.product']],
    ['endoflife baseUrl not http', job('endoflife', { product: 'go', baseUrl: 'file:///etc' }), ['source.baseUrl']],
    ['github_tag without repo', job('github_tag', { owner: 'nginx' }), ['source.repo']],
  ])('refuses %s, naming the field', (_name, body, expected) => {
    expect(paths(gatherJobCreateSchema, body)).toEqual(expected);
  });

  it('an update may send the settings of the new source types', () => {
    expect(paths(gatherJobUpdateSchema, { sourceType: 'endoflife', source: { product: 'go' } })).toEqual([]);
    expect(paths(gatherJobUpdateSchema, { sourceType: 'endoflife', source: { project: 'a/b' } })).toEqual(['source.product', 'source.project']);
  });

  it('a gather result may carry digests and release cycles, checked', () => {
    const cycle = {
      name: '1.31', label: '1.31', releaseDate: '2024-08-13', latestVersion: '1.31.4', latestDate: '2024-12-10', lts: false,
      supportEnds: '2025-08-28', supportEnded: false, eolDate: '2025-10-28', eol: false, extendedSupportEnds: null, maintained: true,
    };
    const release = { tag: '1.31.4', publishedAt: '2024-12-10T00:00:00.000Z', prerelease: false, cycle, digest: `sha256:${'a'.repeat(64)}` };
    expect(paths(gatherResultSchema, { releases: [release] })).toEqual([]);
    expect(paths(gatherResultSchema, { releases: [{ ...release, cycle: { ...cycle, eolDate: '28/10/2025' } }] })).toEqual(['releases.0.cycle.eolDate']);
    expect(paths(gatherResultSchema, { releases: [{ ...release, digest: 'latest' }] })).toEqual(['releases.0.digest']);
  });
});

const kubernetesJob = {
  name: 'ingress in prod',
  parser: 'kubernetes',
  kubernetes: { namespace: 'ingress-nginx', selector: 'app.kubernetes.io/name=ingress-nginx', container: 'controller', kinds: ['Deployment', 'DaemonSet'] },
  schedule: '*/10 * * * *',
  credentialName: 'prod-cluster',
};
const helmJob = { name: 'cert-manager', parser: 'helm_release', helmRelease: { namespace: 'cert-manager', release: 'cert-manager' }, schedule: '0 * * * *', credentialName: 'prod-cluster' };

describe('scrape parsers kubernetes and helm_release', () => {
  it('accepts both with their settings, a schedule and the cluster as credentialName', () => {
    expect(messages(scrapeJobCreateSchema, kubernetesJob)).toEqual([]);
    expect(messages(scrapeJobCreateSchema, { ...kubernetesJob, kubernetes: { namespace: 'web', selector: 'app=web' } })).toEqual([]);
    expect(messages(scrapeJobCreateSchema, helmJob)).toEqual([]);
  });

  it('needs the settings, a schedule and the cluster name, and says why', () => {
    expect(messages(scrapeJobCreateSchema, { name: 'x', parser: 'kubernetes' })).toEqual([
      'kubernetes: kubernetes is required for parser kubernetes',
      'schedule: schedule is required for parser kubernetes',
      'credentialName: credentialName is required for parser kubernetes: the cluster name its agents declare (AGENT_KUBE_CLUSTER)',
    ]);
    expect(paths(scrapeJobCreateSchema, { ...helmJob, helmRelease: undefined })).toEqual(['helmRelease']);
  });

  it('refuses the fields of other parsers', () => {
    expect(paths(scrapeJobCreateSchema, { ...kubernetesJob, repoUrl: 'https://github.com/a/b.git', helmRelease: helmJob.helmRelease })).toEqual(['repoUrl', 'helmRelease']);
    expect(paths(scrapeJobCreateSchema, { name: 'x', parser: 'manual', kubernetes: kubernetesJob.kubernetes })).toEqual(['kubernetes']);
    expect(scrapeJobIssues({ parser: 'yq', repoUrl: 'r', filePath: 'f', expression: '.a', schedule: '* * * * *', helmRelease: {} }).map((i) => i.path[0])).toEqual(['helmRelease']);
  });

  it.each([
    ['namespace in capitals', { ...kubernetesJob.kubernetes, namespace: 'Prod' }, 'kubernetes.namespace'],
    ['namespace too long', { ...kubernetesJob.kubernetes, namespace: 'a'.repeat(64) }, 'kubernetes.namespace'],
    ['empty selector', { ...kubernetesJob.kubernetes, selector: ' ' }, 'kubernetes.selector'],
    ['selector that is not one', { ...kubernetesJob.kubernetes, selector: 'app==web==x' }, 'kubernetes.selector'],
    ['unknown kind', { ...kubernetesJob.kubernetes, kinds: ['Pod'] }, 'kubernetes.kinds.0'],
    ['repeated kind', { ...kubernetesJob.kubernetes, kinds: ['Deployment', 'Deployment'] }, 'kubernetes.kinds'],
    ['unknown key', { ...kubernetesJob.kubernetes, labelSelector: 'a=b' }, 'kubernetes.labelSelector'],
  ])('refuses a kubernetes target with %s', (_name, kubernetes, path) => {
    expect(paths(scrapeJobCreateSchema, { ...kubernetesJob, kubernetes })).toEqual([path]);
  });

  it('refuses a Helm release name Helm would refuse', () => {
    expect(paths(scrapeJobCreateSchema, { ...helmJob, helmRelease: { namespace: 'a', release: 'My_Release' } })).toEqual(['helmRelease.release']);
    expect(paths(scrapeJobCreateSchema, { ...helmJob, helmRelease: { namespace: 'a', release: 'r'.repeat(54) } })).toEqual(['helmRelease.release']);
  });

  it.each([
    ['app=web', null],
    ['app.kubernetes.io/name=ingress-nginx,tier!=cache', null],
    ['env in (prod, staging),!legacy', null],
    ['env notin (dev),app', null],
    ['app==web', null],
    ['app=', null],
    ['a,,b', 'has an empty requirement (two commas, or a comma at an end)'],
    ['env in (prod', 'has unbalanced parentheses'],
    ['env in (a,(b))', 'has unbalanced parentheses'],
    ['-bad=x', 'has an invalid label key "-bad"'],
    ['app=we b', 'has a requirement that is not key=value, key!=value, key in (...), key notin (...), key or !key: "app=we b"'],
  ])('reads the label selector %s', (selector, problem) => {
    expect(labelSelectorProblem(selector)).toBe(problem);
  });

  it('a scrape task spec is a git file or a cluster read', () => {
    expect(scrapeTaskSpecSchema.parse({ parser: 'kubernetes', kubernetes: kubernetesJob.kubernetes })).toEqual({ parser: 'kubernetes', kubernetes: kubernetesJob.kubernetes });
    expect(scrapeTaskSpecSchema.parse({ parser: 'yq', repoUrl: 'r', ref: null, filePath: 'f', expression: '.a' }).parser).toBe('yq');
    expect(scrapeTaskSpecSchema.safeParse({ parser: 'helm_release' }).success).toBe(false);
  });

  it('a scrape result may carry the image digest and what was read', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const workload = { kind: 'Deployment', namespace: 'web', name: 'nginx', container: 'nginx', image: `nginx@${digest}`, version: null, imageDigest: digest };
    expect(paths(scrapeResultSchema, { version: digest, raw: 'x', commitSha: null, imageDigest: digest, details: { workloads: [workload] } })).toEqual([]);
    expect(paths(scrapeResultSchema, { version: '1', raw: null, commitSha: null, details: { workloads: [{ ...workload, kind: 'Pod' }] } })).toEqual(['details.workloads.0.kind']);
  });
});
