import { parseHostPattern, type HostPattern, type ScopedToken, type SecretScope } from '../../src/credential-scope.ts';
import type { Credential } from '../../src/credentials.ts';

/** Parsed `hosts:` entries; a bad entry throws (the tests write good ones). */
export function hostPatterns(hosts: readonly string[]): HostPattern[] {
  return hosts.map((text) => {
    const parsed = parseHostPattern(text);
    if (typeof parsed === 'string') throw new Error(`${text}: ${parsed}`);
    return parsed;
  });
}

/** `credential` as config.yaml would load it under `name`, with `hosts:` (null: none listed). */
export function scoped<C extends Omit<Credential, 'scope'>>(credential: C, hosts: readonly string[] | null, name = 'test-credential'): C & { scope: SecretScope } {
  return { ...credential, scope: { label: `credential ${name}`, setting: `the hosts: of agent.credentials.${name}`, hosts: hosts === null ? null : hostPatterns(hosts) } };
}

/** GITHUB_TOKEN with GITHUB_TOKEN_HOSTS, as the agent's config reads them. */
export function githubToken(token: string, hosts: readonly string[] = ['api.github.com']): ScopedToken {
  return { token, scope: { label: 'GITHUB_TOKEN', setting: 'GITHUB_TOKEN_HOSTS', hosts: hostPatterns(hosts) } };
}

/** `host:port` of a loopback stand-in's URL, the way a site would scope a credential to it. */
export const hostPortOf = (url: string): string => new URL(url).host;
