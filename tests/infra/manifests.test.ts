import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { schemaVariables } from '../support/config-cases.ts';
import { allManifestFiles, containersOf, DOCKER, INFRA, kustomizedObjects, readKustomization, readYamlDocuments, ROOT, type K8sObject } from './manifests.ts';

/** The kubernetes-models class of an object, e.g. apps/v1 Deployment. */
async function modelOf(object: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const group = object.apiVersion.includes('/') ? object.apiVersion : `v1`;
  const module = (await import(`kubernetes-models/${group === 'v1' ? 'v1' : group}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = module[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

const base = kustomizedObjects(path.join(INFRA, 'base'));
const workloads = base.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
const APPS = ['api', 'taskengine', 'rules-engine', 'notifier', 'agent'];

describe('Kubernetes manifests', () => {
  it.each(allManifestFiles().filter((f) => !f.endsWith('kustomization.yaml')).map((f) => [path.relative(ROOT, f)]))(
    '%s validates against the Kubernetes schemas',
    async (file) => {
      const documents = readYamlDocuments(path.join(ROOT, file)) as K8sObject[];
      expect(documents.length).toBeGreaterThan(0);
      for (const document of documents) {
        const Model = await modelOf(document);
        expect(() => new Model(document).validate()).not.toThrow();
      }
    },
  );

  it('name every resource file they list, and the overlay builds on the base', () => {
    for (const dir of [path.join(INFRA, 'base'), path.join(INFRA, 'overlays', 'example')]) {
      for (const resource of readKustomization(dir).resources ?? []) expect(existsSync(path.resolve(dir, resource))).toBe(true);
    }
    expect(readKustomization(path.join(INFRA, 'overlays', 'example')).resources).toContain('../../base');
  });

  it('run one Deployment per service, a Service for the api, a migrations Job and disruption budgets', () => {
    const names = (kind: string) => base.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual(APPS.map((a) => `planekeeper-${a}`).sort());
    expect(names('Service')).toEqual(['planekeeper-api']);
    expect(names('Job')).toEqual(['planekeeper-migrate']);
    expect(names('PodDisruptionBudget')).toEqual(['planekeeper-api', 'planekeeper-notifier', 'planekeeper-rules-engine', 'planekeeper-taskengine']);
  });

  it('use only images that a Dockerfile in docker/ builds, and the overlay pins every one', () => {
    const dockerfiles = new Set(readdirSync(DOCKER).filter((f) => f.endsWith('.Dockerfile')).map((f) => f.replace('.Dockerfile', '')));
    const images = new Set(workloads.flatMap((w) => containersOf(w).map((c) => c.image.split(':')[0]!)));
    for (const image of images) expect(dockerfiles).toContain(image.replace('planekeeper/', ''));
    const pinned = (readKustomization(path.join(INFRA, 'overlays', 'example')).images ?? []).map((i) => i.name);
    expect(new Set(pinned)).toEqual(images);
  });

  it('give every service resources, probes on /readyz and /healthz of its own port, and PORT matching it', () => {
    for (const deployment of base.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'planekeeper-agent')) {
      for (const container of containersOf(deployment)) {
        const http = container.ports?.find((p) => p.name === 'http');
        expect(http).toBeDefined();
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.env?.find((e) => e.name === 'PORT')?.value).toBe(String(http!.containerPort));
        expect((container as { resources?: unknown }).resources).toBeDefined();
      }
    }
  });
});

describe('Prometheus scraping', () => {
  it('reads /metrics of every service on the port that serves it: the api\'s ops port, kept out of its Service', () => {
    for (const deployment of base.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'planekeeper-agent')) {
      const annotations = (deployment.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata?.annotations ?? {};
      const container = containersOf(deployment)[0]!;
      const served = container.ports?.find((p) => p.name === 'metrics') ?? container.ports?.find((p) => p.name === 'http');
      expect({ name: deployment.metadata.name, scrape: annotations['prometheus.io/scrape'], port: annotations['prometheus.io/port'], path: annotations['prometheus.io/path'] }).toEqual({
        name: deployment.metadata.name, scrape: 'true', port: String(served!.containerPort), path: '/metrics',
      });
    }
    const api = containersOf(base.find((o) => o.kind === 'Deployment' && o.metadata.name === 'planekeeper-api')!)[0]!;
    const metrics = api.ports?.find((p) => p.name === 'metrics');
    expect(api.env?.find((e) => e.name === 'API_OPS_PORT')?.value).toBe(String(metrics?.containerPort));
    const service = base.find((o) => o.kind === 'Service' && o.metadata.name === 'planekeeper-api') as K8sObject & { spec: { ports: { targetPort: string }[] } };
    expect(service.spec.ports.map((p) => p.targetPort)).toEqual(['http']);
  });
});

describe("the agent's Kubernetes permissions", () => {
  const rules = (base.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'planekeeper-agent-reader')?.rules ?? []) as { apiGroups: string[]; resources: string[]; verbs: string[] }[];

  it('are read-only, on exactly the kinds it reads, and list alone on Secrets', () => {
    const granted = rules.flatMap((rule) => rule.resources.flatMap((resource) => rule.apiGroups.map((group) => `${group || 'core'}/${resource}: ${[...rule.verbs].sort().join(',')}`))).sort();
    expect(granted).toEqual(['apps/daemonsets: get,list', 'apps/deployments: get,list', 'apps/statefulsets: get,list', 'batch/cronjobs: get,list', 'core/secrets: list']);
  });

  it('are granted per namespace by RoleBindings to its own service account, never cluster-wide', () => {
    expect(base.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
    const binding = base.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'planekeeper-agent-reader') as K8sObject & { roleRef: { name: string }; subjects: { kind: string; name: string }[] };
    expect(binding.roleRef.name).toBe('planekeeper-agent-reader');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'planekeeper-agent' }]);
    const agent = base.find((o) => o.kind === 'Deployment' && o.metadata.name === 'planekeeper-agent') as K8sObject & { spec: { template: { spec: { serviceAccountName?: string } } } };
    expect(agent.spec.template.spec.serviceAccountName).toBe('planekeeper-agent');
  });
});

describe('Kubernetes settings', () => {
  it('reach every service that reads them: a key of the config map or secret is passed to each service whose config has it', () => {
    const deployments = base.filter((o) => o.kind === 'Deployment');
    const envOf = (deployment: K8sObject) => containersOf(deployment).flatMap((c) => c.env ?? []);
    const shared = new Set(deployments.flatMap((d) => envOf(d).flatMap((e) => e.valueFrom?.configMapKeyRef?.key ?? e.valueFrom?.secretKeyRef?.key ?? [])));
    expect(shared.has('PUBLIC_URL')).toBe(true);
    const missing: string[] = [];
    for (const deployment of deployments) {
      const app = deployment.metadata.name.replace(/^planekeeper-/, '');
      expect(APPS).toContain(app);
      const given = new Set(envOf(deployment).map((e) => e.name));
      for (const name of schemaVariables(app)) if (shared.has(name) && !given.has(name)) missing.push(`${app}: ${name}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('Dockerfiles', () => {
  const files = readdirSync(DOCKER).filter((f) => f.endsWith('.Dockerfile'));

  it('exist for every service', () => {
    expect(files.map((f) => f.replace('.Dockerfile', '')).sort()).toEqual([...APPS].sort());
  });

  it.each(files.map((f) => [f]))('%s lints clean, runs as non-root, and has a healthcheck or a reason not to', (file) => {
    const content = readFileSync(path.join(DOCKER, file), 'utf8');
    const problems = lintDockerfile(content).map((d) => `${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(content).toMatch(/^FROM .+ AS build$/m);
    expect(content).toMatch(/^USER (?!root)\S+/m);
    expect(content).toMatch(/deploy --legacy --prod|--prod/);
    if (!file.startsWith('agent')) expect(content).toMatch(/^HEALTHCHECK /m);
  });
});
