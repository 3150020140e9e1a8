import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { freePort } from '@planekeeper/db';
import { containersOf, INFRA, kustomizedObjects, ROOT, type K8sObject } from './manifests.ts';

// What the schemas cannot check: each service, started with exactly the environment its
// Deployment gives it (ConfigMap + env, secrets filled with valid stand-ins), starts, and its
// probes answer on the routes and port the manifest names.

const objects = kustomizedObjects(path.join(INFRA, 'base'));
const configMap = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'planekeeper-config') as unknown as { data: Record<string, string> }).data;
const deployments = objects.filter((o) => o.kind === 'Deployment');

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test?.destroy());

/** The environment a container gets from the manifests; secrets become valid stand-ins. */
function environmentOf(deployment: K8sObject, overrides: Record<string, string>): Record<string, string> {
  const container = containersOf(deployment)[0]!;
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) if (source.configMapRef?.name === 'planekeeper-config') Object.assign(env, configMap);
  const secrets: Record<string, string> = {
    DATABASE_URL: test.url,
    PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: 'pk_manifest_check_bootstrap_key_0123456789',
    AGENT_API_KEY: 'pk_manifest_check_agent_key_0123456789',
    AGENT_ENROLLMENT_TOKEN: 'pket_manifest_check_enrollment_token_0123456789',
  };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    if (ref) {
      const value = variable.valueFrom?.secretKeyRef ? secrets[ref.key!] : configMap[ref.key!];
      if (value !== undefined) env[variable.name] = value;
      else if (!ref.optional) throw new Error(`${deployment.metadata.name}: ${variable.name} refers to ${ref.key}, which nothing provides`);
    }
    if (variable.valueFrom?.fieldRef) env[variable.name] = `${deployment.metadata.name}-pod`;
  }
  return { ...env, ...overrides };
}

function appOf(deployment: K8sObject): string {
  return deployment.metadata.name.replace('planekeeper-', '');
}

describe('each Deployment, started with its own environment', () => {
  it.each(deployments.filter((d) => appOf(d) !== 'agent').map((d) => [appOf(d), d] as const))('%s starts and answers its probes', async (app, deployment) => {
    const container = containersOf(deployment)[0]!;
    const port = await freePort();
    // The manifest's PORT is checked elsewhere to match containerPort; here a free one avoids clashes.
    const env = environmentOf(deployment, { PORT: String(port), API_OPS_PORT: String(await freePort()), API_SKIP_MIGRATIONS: 'false' });
    const child = spawn(process.execPath, ['--conditions=source', path.join(ROOT, 'apps', app, 'src', 'main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const probes = [container.readinessProbe?.httpGet?.path, container.livenessProbe?.httpGet?.path];
      for (const probe of probes) {
        expect(probe).toBeDefined();
        const deadline = Date.now() + 30_000;
        let status = 0;
        while (Date.now() < deadline && child.exitCode === null) {
          status = await fetch(`http://127.0.0.1:${port}${probe}`).then((r) => r.status, () => 0);
          if (status === 200) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect({ app, probe, status, exitCode: child.exitCode, stderr: stderr.slice(-500) }).toEqual({ app, probe, status: 200, exitCode: null, stderr: stderr.slice(-500) });
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  });

  it('the agent accepts its environment and keeps running while the api is unreachable', async () => {
    const deployment = deployments.find((d) => appOf(d) === 'agent')!;
    const env = environmentOf(deployment, { AGENT_SERVER_URL: `http://127.0.0.1:${await freePort()}/api/v1/agent`, AGENT_CACHE_DIR: path.join(ROOT, '.data', 'manifest-check-cache') });
    delete env.AGENT_CONFIG;
    const child = spawn(process.execPath, ['--conditions=source', path.join(ROOT, 'apps', 'agent', 'src', 'main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((r) => setTimeout(r, 3000));
    expect({ exitCode: child.exitCode, stderr }).toEqual({ exitCode: null, stderr: '' });
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });
});
