import { describe, expect, it } from '@jest/globals';
import { hostOf, mayReceive, parseHostPattern, requireDestination, type HostPattern, type SecretScope } from './credential-scope.ts';
import { TaskError } from './task-error.ts';

const scopeOf = (...hosts: string[]): SecretScope => ({
  label: 'credential registry',
  setting: 'the hosts: of agent.credentials.registry',
  hosts: hosts.map((text) => parseHostPattern(text) as HostPattern),
});

describe('parseHostPattern', () => {
  it.each([
    ['registry.example.com', { hostname: 'registry.example.com', port: null, prefix: null }],
    ['Registry.Example.COM', { hostname: 'registry.example.com', port: null, prefix: null }],
    ['registry.example.com:5000', { hostname: 'registry.example.com', port: '5000', prefix: null }],
    ['10.0.0.7:443', { hostname: '10.0.0.7', port: '443', prefix: null }],
    ['[::1]:8443', { hostname: '[::1]', port: '8443', prefix: null }],
    ['https://git.example.com/team/', { hostname: 'git.example.com', port: '443', prefix: { protocol: 'https:', path: '/team/' } }],
    ['http://charts.example.com:8080', { hostname: 'charts.example.com', port: '8080', prefix: { protocol: 'http:', path: '/' } }],
    ['ssh://github.com/acme', { hostname: 'github.com', port: '22', prefix: { protocol: 'ssh:', path: '/acme' } }],
  ])('reads %s', (text, expected) => {
    expect(parseHostPattern(text)).toEqual({ text, ...expected });
  });

  it.each([
    ['', 'must not be empty'],
    ['*.example.com', 'wildcards are not supported; list each host'],
    ['registry.example.com/v2', 'must be a host (registry.example.com), a host and port (registry.example.com:5000) or a URL prefix (https://git.example.com/team/)'],
    ['user@registry.example.com', 'must be a host (registry.example.com), a host and port (registry.example.com:5000) or a URL prefix (https://git.example.com/team/)'],
    ['registry.example.com:0', 'has a port outside 1-65535'],
    ['registry.example.com:70000', 'has a port outside 1-65535'],
    ['99999999999', 'is not a host name'],
    ['ftp://files.example.com/', 'a URL prefix must start with https://, http:// or ssh://'],
    ['https://robot:hunter2@registry.example.com/', 'must not hold a user name or password (those belong in the job or the credential)'],
    ['https://registry.example.com/?x=1', 'a URL prefix must not have a query or fragment'],
    ['https://', 'is not a valid URL'],
  ])('refuses %j: %s', (text, problem) => {
    expect(parseHostPattern(text)).toBe(problem);
  });
});

describe('mayReceive', () => {
  it.each<[string[], string, boolean]>([
    // A host: any port and scheme of that host.
    [['registry.example.com'], 'https://registry.example.com/v2/', true],
    [['registry.example.com'], 'http://registry.example.com:5000/v2/', true],
    [['registry.example.com'], 'https://REGISTRY.example.com/v2/', true],
    [['registry.example.com'], 'https://registry.example.com.evil.test/v2/', false],
    [['registry.example.com'], 'https://evil.test/registry.example.com', false],
    [['registry.example.com'], 'https://registry.example.com@evil.test/', false],
    [['example.com'], 'https://sub.example.com/', false],
    // A host and port: the effective port must match.
    [['registry.example.com:443'], 'https://registry.example.com/v2/', true],
    [['registry.example.com:443'], 'http://registry.example.com/v2/', false],
    [['127.0.0.1:5000'], 'http://127.0.0.1:5000/v2/', true],
    [['127.0.0.1:5000'], 'http://127.0.0.1:5001/v2/', false],
    [['127.0.0.1:5000'], 'http://localhost:5000/v2/', false],
    // A URL prefix: scheme, host, port and whole path segments.
    [['https://git.example.com/team'], 'https://git.example.com/team/app.git', true],
    [['https://git.example.com/team'], 'https://git.example.com/team', true],
    [['https://git.example.com/team'], 'https://git.example.com/teammates/app.git', false],
    [['https://git.example.com/team/'], 'https://git.example.com/team/app.git', true],
    [['https://git.example.com/team'], 'http://git.example.com/team/app.git', false],
    [['https://git.example.com/team'], 'https://git.example.com:8443/team/app.git', false],
    // ssh: the ssh host is the scope, for ssh:// URLs and git's user@host:path alike.
    [['github.com'], 'git@github.com:acme/deploy.git', true],
    [['github.com:22'], 'ssh://git@github.com/acme/deploy.git', true],
    [['github.com'], 'git@gitlab.com:acme/deploy.git', false],
    [['ssh://github.com/acme/'], 'git@github.com:acme/deploy.git', true],
    [['ssh://github.com/acme/'], 'git@github.com:other/deploy.git', false],
    [['127.0.0.1:2222'], 'ssh://me@127.0.0.1:2222/srv/repo', true],
    [['127.0.0.1:2222'], 'ssh://me@127.0.0.1:22/srv/repo', false],
    // Any one entry will do.
    [['ghe.example.com', 'api.github.com'], 'https://api.github.com', true],
    [[], 'https://api.github.com', false],
  ])('%j allows %s: %s', (hosts, url, allowed) => {
    expect(mayReceive(scopeOf(...hosts), url)).toBe(allowed);
  });

  it('allows nothing to a credential without hosts, and nothing to an unreadable URL', () => {
    expect(mayReceive({ label: 'credential old', setting: 'x', hosts: null }, 'https://registry.example.com/')).toBe(false);
    expect(mayReceive(scopeOf('registry.example.com'), 'not a url')).toBe(false);
  });
});

describe('requireDestination', () => {
  const refusal = (scope: SecretScope, url: string, what?: string): TaskError => {
    try {
      requireDestination(scope, url, what);
    } catch (error) {
      return error as TaskError;
    }
    throw new Error('no refusal');
  };

  it('names the host and where hosts are set, never the URL path or user info', () => {
    const error = refusal(scopeOf('registry.example.com', 'https://git.example.com/team/'), 'https://user:pw@evil.test:8443/steal?token=1');
    expect(error).toBeInstanceOf(TaskError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'credential registry may not be sent to evil.test:8443: that host is not in the hosts: of agent.credentials.registry (registry.example.com, https://git.example.com/team/); the agent refused to send it',
    );
    expect(refusal(scopeOf('registry.example.com'), 'https://auth.example.com/token', "the registry's token service").message).toMatch(
      /^credential registry may not be sent to the registry's token service at auth\.example\.com:443: /,
    );
  });

  it('refuses a credential without hosts, saying how to fix it', () => {
    expect(refusal({ label: 'credential old', setting: 'x', hosts: null }, 'https://registry.example.com/').message).toBe(
      "credential old has no hosts: in the agent's config.yaml, so the agent sends it nowhere; list the hosts it may be sent to (see the agent's README)",
    );
  });

  it('lets an allowed destination through', () => {
    expect(() => requireDestination(scopeOf('registry.example.com'), 'https://registry.example.com/v2/')).not.toThrow();
  });

  it('shows host:port for messages', () => {
    expect(hostOf('https://a.example/x')).toBe('a.example:443');
    expect(hostOf('git@github.com:acme/x.git')).toBe('github.com:22');
  });
});
