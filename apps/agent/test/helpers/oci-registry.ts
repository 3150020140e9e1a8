import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { closedPort } from './http-server.ts';

/** A running CNCF distribution registry (Debian's docker-registry) on 127.0.0.1. */
export interface DistributionRegistry {
  url: string;
  auth: { username: string; password: string } | undefined;
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` with temp storage; with `auth`, behind htpasswd basic auth. */
export async function startDistributionRegistry(auth?: { username: string; password: string }): Promise<DistributionRegistry> {
  const registry = requireBinary('docker-registry', 'docker-registry', ['/usr/bin/docker-registry']);
  const dir = mkdtempSync(join(tmpdir(), 'pk-registry-'));
  const port = await closedPort();
  const lines = ['version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`];
  if (auth !== undefined) {
    const htpasswd = requireBinary('htpasswd', 'apache2-utils');
    writeFileSync(join(dir, 'htpasswd'), execFileSync(htpasswd, ['-Bbn', auth.username, auth.password], { encoding: 'utf8' }));
    lines.push('auth:', '  htpasswd:', '    realm: planekeeper-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn(registry, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 200 || response.status === 401) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    auth,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Pushes images through the distribution API: one tiny layer, one config per tag with its `created`. */
export async function pushImages(
  registry: { url: string; auth?: { username: string; password: string } | undefined },
  repository: string,
  images: { tag: string; created: string }[],
  options: { multiPlatformTags?: string[] } = {},
): Promise<void> {
  const headers: Record<string, string> = registry.auth === undefined ? {} : { authorization: `Basic ${Buffer.from(`${registry.auth.username}:${registry.auth.password}`).toString('base64')}` };
  const putBlob = async (data: Buffer) => {
    const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location') ?? '', registry.url);
    location.searchParams.set('digest', sha256(data));
    const put = await fetch(location, { method: 'PUT', body: data, headers: { ...headers, 'content-type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
    return { digest: sha256(data), size: data.length };
  };
  // Without a tag, a manifest is stored by its digest only (the platform images of an index).
  const putManifest = async (tag: string | undefined, mediaType: string, manifest: unknown) => {
    const body = Buffer.from(JSON.stringify(manifest));
    const reference = tag ?? sha256(body);
    const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body, headers: { ...headers, 'content-type': mediaType } });
    if (response.status !== 201) throw new Error(`manifest ${reference}: ${response.status} ${await response.text()}`);
    return { digest: sha256(body), size: body.length };
  };
  const layer = await putBlob(Buffer.from('planekeeper test layer'));
  const imageManifest = async (created: string, architecture: string) => {
    const config = await putBlob(Buffer.from(JSON.stringify({ created, architecture, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
    return {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    };
  };
  for (const image of images) {
    if (options.multiPlatformTags?.includes(image.tag)) {
      // arm64 built a day later: the date read must be amd64's.
      const arm = await putManifest(undefined, 'application/vnd.oci.image.manifest.v1+json', await imageManifest(new Date(Date.parse(image.created) + 86_400_000).toISOString(), 'arm64'));
      const amd = await putManifest(undefined, 'application/vnd.oci.image.manifest.v1+json', await imageManifest(image.created, 'amd64'));
      await putManifest(image.tag, 'application/vnd.oci.image.index.v1+json', {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...arm, platform: { os: 'linux', architecture: 'arm64' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...amd, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      });
    } else {
      await putManifest(image.tag, 'application/vnd.oci.image.manifest.v1+json', await imageManifest(image.created, 'amd64'));
    }
  }
}
