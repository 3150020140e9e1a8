import { describe, expect, it } from '@jest/globals';
import { redactUrlCredentials, urlCredentialsProblem } from './url-credentials.ts';

describe('URLs with credentials', () => {
  it.each([
    ['https://user:secret@registry.example.com/v2/', 'https://user:***@registry.example.com/v2/'],
    ['http://robot:p%40ss@charts.example.com', 'http://robot:***@charts.example.com'],
    ['https://ghp_token@github.com/acme/deploy.git', 'https://***@github.com/acme/deploy.git'],
    ['HTTPS://oauth2:glpat-x@gitlab.example.com/a.git', 'HTTPS://oauth2:***@gitlab.example.com/a.git'],
    ['ssh://git:secret@git.example.com/acme/deploy.git', 'ssh://git:***@git.example.com/acme/deploy.git'],
  ])('refuses %s and masks it as %s', (url, masked) => {
    expect(urlCredentialsProblem(url)).toMatch(/^must not contain credentials \(user:password@ or token@\): .*credentialName$/);
    expect(redactUrlCredentials(url)).toBe(masked);
  });

  it.each([
    'https://registry.example.com/v2/',
    'ssh://git@git.example.com/acme/deploy.git',
    'git@github.com:acme/deploy.git',
    'https://example.com/path/user@host',
    'https://example.com/?next=a:b@c',
  ])('accepts %s and shows it as it is', (url) => {
    expect(urlCredentialsProblem(url)).toBeNull();
    expect(redactUrlCredentials(url)).toBe(url);
  });

  it('leaves a missing URL missing', () => {
    expect(redactUrlCredentials(null)).toBeNull();
  });
});
