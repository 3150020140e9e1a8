import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { z } from 'zod';
import { ConfigError } from '@planekeeper/runtime';
import { parseHostPattern, type HostPattern, type SecretScope } from './credential-scope.ts';
import { describeYamlError } from './yaml.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$/;

const hostPattern = z.string().transform((text, ctx): HostPattern => {
  const parsed = parseHostPattern(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});
// Optional so that a config.yaml from before scopes still loads: such a credential is declared
// but refused at use, with a warning at start (see unscopedCredentials).
const hosts = z.array(hostPattern).min(1, 'hosts must list at least one host').max(100, 'hosts may list at most 100 entries').optional();

const sshKey = z
  .strictObject({
    type: z.literal('ssh_key'),
    hosts,
    private_key_file: z.string().min(1).optional(),
    private_key: z.string().min(1).optional(),
    passphrase: z.string().optional(),
  })
  .refine((c) => (c.private_key_file === undefined) !== (c.private_key === undefined), {
    message: 'an ssh_key needs exactly one of private_key_file or private_key',
  });
const httpsPat = z.strictObject({
  type: z.literal('https_pat'),
  hosts,
  token: z.string().min(1, 'token must not be empty'),
  // Not in the seed's examples; Bitbucket needs the account name beside an app password.
  username: z.string().min(1).optional(),
});
const registryBasic = z.strictObject({
  type: z.literal('registry_basic'),
  hosts,
  username: z.string().min(1, 'username must not be empty'),
  password: z.string().min(1, 'password must not be empty'),
});

const fileSchema = z.object({
  agent: z
    .object({
      credentials: z
        .record(z.string().max(200).regex(NAME, 'credential names may hold letters, digits and _ . : @ / -'), z.discriminatedUnion('type', [sshKey, httpsPat, registryBasic], {
          error: 'must be ssh_key, https_pat or registry_basic',
        }))
        .nullish()
        // The heartbeat declares at most 200 credential names.
        .refine((credentials) => Object.keys(credentials ?? {}).length <= 200, { message: 'at most 200 credentials' }),
    })
    .nullish(),
});

/** An SSH private key for git over ssh; its scope lists the ssh hosts. */
export interface SshKeyCredential {
  type: 'ssh_key';
  scope: SecretScope;
  privateKey: string;
  passphrase: string | undefined;
}
/** A token for git (and Helm repositories) over https, sent as basic auth. */
export interface HttpsPatCredential {
  type: 'https_pat';
  scope: SecretScope;
  username: string;
  token: string;
}
/** A username and password for an OCI registry or Helm repository. */
export interface RegistryBasicCredential {
  type: 'registry_basic';
  scope: SecretScope;
  username: string;
  password: string;
}
/** A named secret from config.yaml and the hosts it may be sent to. Never log one. */
export type Credential = SshKeyCredential | HttpsPatCredential | RegistryBasicCredential;

/** Credentials by name; the names (never the secrets) are declared in heartbeats. */
export type Credentials = ReadonlyMap<string, Credential>;

// Git hosts accept any user name beside a token; GitHub documents this one.
const DEFAULT_PAT_USERNAME = 'x-access-token';

/**
 * Reads the credentials file (the seed's `agent.credentials` map). A missing file is no
 * credentials unless AGENT_CONFIG named it; an unreadable or malformed file throws a ConfigError
 * naming the file and the fault, never a secret.
 */
export function loadCredentials(file: { path: string; explicit: boolean }): Credentials {
  const fail = (problem: string): never => {
    throw new ConfigError('agent', [`AGENT_CONFIG: ${file.path}: ${problem}`]);
  };
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !file.explicit) return new Map();
    return fail(code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(error)})`);
  }
  let document: unknown;
  try {
    document = load(text, { maxAliases: 100 }) ?? {};
  } catch (error) {
    return fail(`is not valid YAML: ${describeYamlError(error)}`);
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    return fail(problems.join('; '));
  }
  const credentials = new Map<string, Credential>();
  for (const [name, entry] of Object.entries(parsed.data.agent?.credentials ?? {})) {
    const scope: SecretScope = { label: `credential ${name}`, setting: `the hosts: of agent.credentials.${name}`, hosts: entry.hosts ?? null };
    if (entry.type === 'ssh_key') {
      let privateKey = entry.private_key;
      if (entry.private_key_file !== undefined) {
        try {
          privateKey = readFileSync(entry.private_key_file, 'utf8');
        } catch (error) {
          fail(`agent.credentials.${name}.private_key_file: cannot read ${entry.private_key_file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        }
      }
      if (privateKey === undefined || !privateKey.includes('PRIVATE KEY')) {
        fail(`agent.credentials.${name}: the private key is not a PEM/OpenSSH private key`);
      }
      // ssh refuses a key file without its final newline.
      const key = String(privateKey).endsWith('\n') ? String(privateKey) : `${String(privateKey)}\n`;
      credentials.set(name, { type: 'ssh_key', scope, privateKey: key, passphrase: entry.passphrase === '' ? undefined : entry.passphrase });
    } else if (entry.type === 'https_pat') {
      credentials.set(name, { type: 'https_pat', scope, username: entry.username ?? DEFAULT_PAT_USERNAME, token: entry.token });
    } else {
      credentials.set(name, { type: 'registry_basic', scope, username: entry.username, password: entry.password });
    }
  }
  return credentials;
}

/** Names of the credentials without `hosts:`: the agent warns of each at start and never sends them. */
export function unscopedCredentials(credentials: Credentials): string[] {
  return [...credentials].filter(([, credential]) => credential.scope.hosts === null).map(([name]) => name);
}

/** Username and password for HTTP basic auth from a registry_basic or https_pat credential. */
export function basicAuthOf(credential: Credential | undefined): { username: string; password: string } | undefined {
  if (credential?.type === 'registry_basic') return { username: credential.username, password: credential.password };
  if (credential?.type === 'https_pat') return { username: credential.username, password: credential.token };
  return undefined;
}
