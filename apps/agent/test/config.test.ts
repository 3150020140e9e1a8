import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '@planekeeper/runtime';
import { loadAgentConfig } from '../src/config.ts';
import { loadCredentials, unscopedCredentials } from '../src/credentials.ts';
import { hostPatterns } from './helpers/credentials.ts';

const required = { AGENT_SERVER_URL: 'https://planekeeper.example.com/api/v1/agent', AGENT_API_KEY: 'pk_agent_0123456789' };
const configError = (run: () => unknown): ConfigError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('agent configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadAgentConfig({ ...required, PATH: '/usr/bin', HTTPS_PROXY: 'http://proxy:3128', SECRET_THING: 'x' });
    expect(config).toMatchObject({
      serverUrl: 'https://planekeeper.example.com/api/v1/agent',
      auth: { kind: 'api-key', apiKey: 'pk_agent_0123456789' },
      pollIntervalSeconds: 30,
      capabilities: ['gather', 'scrape', 'helm_sync'],
      maxConcurrentTasks: 4,
      githubToken: undefined,
      credentialsFile: { path: '/etc/planekeeper/config.yaml', explicit: false },
      cacheDir: '/tmp/planekeeper',
      logLevel: 'info',
      metricsPort: undefined,
      taskWorker: { idleMs: 30_000, maxHeapMb: 192 },
      childEnv: { PATH: '/usr/bin', HTTPS_PROXY: 'http://proxy:3128' },
    });
    expect(config.name.length).toBeGreaterThan(0);
  });

  it('reads every setting', () => {
    const config = loadAgentConfig({
      AGENT_SERVER_URL: 'http://localhost:8080/api/v1/agent/',
      AGENT_API_KEY: 'pk_x',
      AGENT_POLL_INTERVAL: '2.5',
      AGENT_NAME: 'site-west-1',
      AGENT_CAPABILITIES: 'scrape, gather,scrape',
      AGENT_MAX_CONCURRENT_TASKS: '8',
      GITHUB_TOKEN: 'ghp_abc',
      GITHUB_TOKEN_HOSTS: 'api.github.com, ghe.example.com:8443,https://git.example.com/api/v3',
      AGENT_CONFIG: '/config/agent.yaml',
      AGENT_CACHE_DIR: '/var/cache/pk',
      LOG_LEVEL: 'debug',
      AGENT_METRICS_PORT: '9464',
      AGENT_TASK_WORKER_IDLE_SECONDS: '2.5',
      AGENT_TASK_WORKER_MAX_HEAP_MB: '512',
    });
    expect(config).toMatchObject({
      serverUrl: 'http://localhost:8080/api/v1/agent',
      pollIntervalSeconds: 2.5,
      name: 'site-west-1',
      capabilities: ['scrape', 'gather'],
      maxConcurrentTasks: 8,
      githubToken: {
        token: 'ghp_abc',
        scope: { label: 'GITHUB_TOKEN', setting: 'GITHUB_TOKEN_HOSTS', hosts: hostPatterns(['api.github.com', 'ghe.example.com:8443', 'https://git.example.com/api/v3']) },
      },
      credentialsFile: { path: '/config/agent.yaml', explicit: true },
      cacheDir: '/var/cache/pk',
      logLevel: 'debug',
      metricsPort: 9464,
      taskWorker: { idleMs: 2500, maxHeapMb: 512 },
    });
    // The task worker reads hostile answers: it gets the environment without the agent's secrets.
    expect(config.workerEnv).toMatchObject({ AGENT_NAME: 'site-west-1', LOG_LEVEL: 'debug' });
    expect(config.workerEnv).not.toHaveProperty('AGENT_API_KEY');
    expect(config.workerEnv).not.toHaveProperty('GITHUB_TOKEN');
  });

  it('names every bad setting and never echoes a secret', () => {
    const error = configError(() =>
      loadAgentConfig({
        AGENT_SERVER_URL: 'https://planekeeper.example.com/api/v1',
        AGENT_API_KEY: 'sk_live_secret_value',
        AGENT_POLL_INTERVAL: 'often',
        AGENT_CAPABILITIES: 'gather,deploy',
        AGENT_MAX_CONCURRENT_TASKS: '0',
        AGENT_TASK_WORKER_IDLE_SECONDS: '-1',
        AGENT_TASK_WORKER_MAX_HEAP_MB: '32',
      }),
    );
    for (const name of ['AGENT_SERVER_URL', 'AGENT_API_KEY', 'AGENT_POLL_INTERVAL', 'AGENT_CAPABILITIES', 'AGENT_MAX_CONCURRENT_TASKS', 'AGENT_TASK_WORKER_IDLE_SECONDS', 'AGENT_TASK_WORKER_MAX_HEAP_MB']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).toContain('must end in /api/v1/agent');
    expect(error.message).not.toContain('sk_live_secret_value');
  });

  it('reads the cluster from AGENT_KUBECONFIG or the pod, only when AGENT_KUBE_NAMESPACES names what it may read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pk-kube-config-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const token = join(dir, 'token');
    writeFileSync(kubeconfig, 'apiVersion: v1\n');
    writeFileSync(token, 'service-account-token');
    expect(loadAgentConfig(required).kube).toBeUndefined();
    expect(loadAgentConfig({ ...required, AGENT_KUBE_NAMESPACES: ' web, cert-manager ,web', AGENT_KUBECONFIG: kubeconfig, AGENT_KUBE_CLUSTER: 'prod-eu' }).kube).toEqual({
      cluster: 'prod-eu',
      namespaces: ['web', 'cert-manager'],
      source: { kind: 'kubeconfig', path: kubeconfig },
    });
    const inPod = { ...required, AGENT_KUBE_NAMESPACES: 'web', KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(loadAgentConfig(inPod, { serviceAccountToken: token }).kube).toEqual({ cluster: 'kubernetes', namespaces: ['web'], source: { kind: 'in-cluster' } });
    expect(configError(() => loadAgentConfig(inPod, { serviceAccountToken: join(dir, 'missing') })).message).toContain(
      'AGENT_KUBE_NAMESPACES: the agent is not in a pod with a service account',
    );
    expect(configError(() => loadAgentConfig({ ...required, AGENT_KUBECONFIG: kubeconfig })).message).toContain('AGENT_KUBECONFIG: set AGENT_KUBE_NAMESPACES too');
    expect(configError(() => loadAgentConfig({ ...required, AGENT_KUBE_NAMESPACES: 'web', AGENT_KUBECONFIG: join(dir, 'nope') })).message).toContain('AGENT_KUBECONFIG: ');
    expect(configError(() => loadAgentConfig({ ...required, AGENT_KUBE_NAMESPACES: 'Web,kube system', AGENT_KUBECONFIG: kubeconfig })).message).toContain('AGENT_KUBE_NAMESPACES');
    rmSync(dir, { recursive: true });
  });

  it('scopes GITHUB_TOKEN to api.github.com unless GITHUB_TOKEN_HOSTS says otherwise', () => {
    expect(loadAgentConfig({ ...required, GITHUB_TOKEN: 'ghp_abc' }).githubToken?.scope.hosts).toEqual(hostPatterns(['api.github.com']));
    const error = configError(() => loadAgentConfig({ ...required, GITHUB_TOKEN: 'ghp_abc', GITHUB_TOKEN_HOSTS: 'api.github.com,*.example.com,ftp://x' }));
    expect(error.message).toContain('GITHUB_TOKEN_HOSTS: entry 2: wildcards are not supported; list each host');
    expect(error.message).toContain('GITHUB_TOKEN_HOSTS: entry 3: a URL prefix must start with https://, http:// or ssh://');
    expect(error.message).not.toContain('ghp_abc');
    expect(configError(() => loadAgentConfig({ ...required, GITHUB_TOKEN_HOSTS: ' , ' })).message).toContain('GITHUB_TOKEN_HOSTS: list at least one host');
  });

  it('requires the server URL and key, and an http(s) URL', () => {
    expect(configError(() => loadAgentConfig({})).message).toMatch(/AGENT_SERVER_URL: .*\(unset\)[\s\S]*AGENT_API_KEY: .*\(unset\)/);
    expect(configError(() => loadAgentConfig({ ...required, AGENT_SERVER_URL: 'ftp://example.com/api/v1/agent' })).message).toContain('expected an http:// or https:// URL');
  });
});

describe('credentials file (config.yaml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-credentials-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';

  it('reads every credential shape of the seed', () => {
    const keyFile = file('id_ed25519', `${KEY}\n`);
    const path = file(
      'config.yaml',
      `agent:
  credentials:
    my-github-ssh:
      type: ssh_key
      private_key_file: ${keyFile}
      passphrase: ""
      hosts: [github.com]
    inline-ssh:
      type: ssh_key
      private_key: |
        ${KEY.split('\n').join('\n        ')}
      passphrase: "open sesame"
      hosts:
        - gitlab.example.com:2222
    my-github-pat:
      type: https_pat
      token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
      hosts:
        - https://github.com/acme/
    my-registry:
      type: registry_basic
      username: myuser
      password: dckr_pat_xxxxxxxxxxxx
      hosts: [registry-1.docker.io, auth.docker.io]
`,
    );
    const credentials = loadCredentials({ path, explicit: true });
    const scope = (name: string, hosts: string[]) => ({ label: `credential ${name}`, setting: `the hosts: of agent.credentials.${name}`, hosts: hostPatterns(hosts) });
    expect([...credentials.keys()]).toEqual(['my-github-ssh', 'inline-ssh', 'my-github-pat', 'my-registry']);
    expect(credentials.get('my-github-ssh')).toEqual({ type: 'ssh_key', scope: scope('my-github-ssh', ['github.com']), privateKey: `${KEY}\n`, passphrase: undefined });
    expect(credentials.get('inline-ssh')).toEqual({ type: 'ssh_key', scope: scope('inline-ssh', ['gitlab.example.com:2222']), privateKey: `${KEY}\n`, passphrase: 'open sesame' });
    expect(credentials.get('my-github-pat')).toEqual({
      type: 'https_pat',
      scope: scope('my-github-pat', ['https://github.com/acme/']),
      username: 'x-access-token',
      token: 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    });
    expect(credentials.get('my-registry')).toEqual({
      type: 'registry_basic',
      scope: scope('my-registry', ['registry-1.docker.io', 'auth.docker.io']),
      username: 'myuser',
      password: 'dckr_pat_xxxxxxxxxxxx',
    });
    expect(unscopedCredentials(credentials)).toEqual([]);
  });

  it('still loads credentials without hosts (from before scopes), marked as sent nowhere', () => {
    const path = file('old.yaml', 'agent:\n  credentials:\n    old-pat:\n      type: https_pat\n      token: ghp_old\n    scoped:\n      type: https_pat\n      token: ghp_new\n      hosts: [github.com]\n');
    const credentials = loadCredentials({ path, explicit: true });
    expect(credentials.get('old-pat')?.scope).toEqual({ label: 'credential old-pat', setting: 'the hosts: of agent.credentials.old-pat', hosts: null });
    expect(unscopedCredentials(credentials)).toEqual(['old-pat']);
  });

  it('treats a missing file at the default path as no credentials, and at a named path as an error', () => {
    const path = join(dir, 'absent.yaml');
    expect(loadCredentials({ path, explicit: false }).size).toBe(0);
    expect(configError(() => loadCredentials({ path, explicit: true })).message).toBe(`agent: invalid configuration\n  - AGENT_CONFIG: ${path}: file not found`);
  });

  it('names the fault of a malformed file without quoting its secrets', () => {
    const cases: [string, RegExp][] = [
      ['agent:\n  credentials:\n    pat:\n      type: https_pat\n      token: "ghp_secret_value\n', /is not valid YAML: .* at line \d+, column \d+$/],
      ['agent:\n  credentials:\n    pat:\n      type: password\n      token: ghp_secret_value\n', /agent\.credentials\.pat\.type: must be ssh_key, https_pat or registry_basic/],
      ['agent:\n  credentials:\n    reg:\n      type: registry_basic\n      username: bob\n', /agent\.credentials\.reg\.password: /],
      ['agent:\n  credentials:\n    ssh:\n      type: ssh_key\n      passphrase: ghp_secret_value\n', /agent\.credentials\.ssh: an ssh_key needs exactly one of private_key_file or private_key/],
      [`agent:\n  credentials:\n    ssh:\n      type: ssh_key\n      private_key_file: ${join(dir, 'nope')}\n`, /agent\.credentials\.ssh\.private_key_file: cannot read .*nope \(ENOENT\)/],
      ['agent:\n  credentials:\n    ssh:\n      type: ssh_key\n      private_key: ghp_secret_value\n', /agent\.credentials\.ssh: the private key is not a PEM\/OpenSSH private key/],
      ['agent:\n  credentials:\n    pat:\n      type: https_pat\n      token: ghp_secret_value\n      hosts: []\n', /agent\.credentials\.pat\.hosts: hosts must list at least one host/],
      ['agent:\n  credentials:\n    pat:\n      type: https_pat\n      token: x\n      hosts: [github.com, "https://bot:ghp_secret_value@github.com/"]\n', /agent\.credentials\.pat\.hosts\.1: must not hold a user name or password/],
      ['agent:\n  credentials:\n    pat:\n      type: https_pat\n      token: x\n      hosts: github.com\n', /agent\.credentials\.pat\.hosts: /],
    ];
    for (const [text, message] of cases) {
      const error = configError(() => loadCredentials({ path: file('bad.yaml', text), explicit: false }));
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('ghp_secret_value');
    }
  });
});
