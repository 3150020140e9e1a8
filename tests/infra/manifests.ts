import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const INFRA = path.join(ROOT, 'infra');
export const DOCKER = path.join(ROOT, 'docker');

/** A Kubernetes object as read from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Kustomization {
  resources?: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  configMapGenerator?: Array<{ name: string; behavior?: string; literals?: string[] }>;
  secretGenerator?: Array<{ name: string; literals?: string[] }>;
}

export function readYamlDocuments(file: string): unknown[] {
  return loadAll(readFileSync(file, 'utf8')).filter((doc) => doc !== null && doc !== undefined);
}

export function readKustomization(dir: string): Kustomization {
  return readYamlDocuments(path.join(dir, 'kustomization.yaml'))[0] as Kustomization;
}

/** The objects of a kustomization directory: its resource files, following directories (bases). */
export function kustomizedObjects(dir: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const resource of readKustomization(dir).resources ?? []) {
    const target = path.resolve(dir, resource);
    if (!target.endsWith('.yaml')) objects.push(...kustomizedObjects(target));
    else objects.push(...(readYamlDocuments(target) as K8sObject[]));
  }
  return objects;
}

/** Every YAML file under infra/. */
export function allManifestFiles(dir = INFRA): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? allManifestFiles(path.join(dir, entry.name)) : entry.name.endsWith('.yaml') ? [path.join(dir, entry.name)] : [],
  );
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, { name?: string; key?: string; optional?: boolean }> }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
}

/** The containers of a Deployment or Job. */
export function containersOf(object: K8sObject): Container[] {
  const spec = object.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}
