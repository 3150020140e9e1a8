import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import {
  channelUrlHost,
  formatWebhookSecret,
  notificationChannelCreateSchema,
  notificationChannelResponseSchema,
  notificationChannelUpdateSchema,
  webhookSecretProblem,
} from './notification-channels.ts';
import { schemaProblems } from './parse.ts';

const secret24 = formatWebhookSecret(new Uint8Array(24).fill(7));
const slack = { name: 'ops', type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXX' };
const paths = (data: unknown, schema: z.ZodType = notificationChannelCreateSchema) => schemaProblems(schema, data).map((p) => p.path);

describe('notificationChannelCreateSchema', () => {
  it.each([
    ['slack', slack],
    ['discord', { name: 'd', type: 'discord', url: 'https://discord.com/api/webhooks/1/abc' }],
    ['teams', { name: 't', type: 'teams', url: 'https://example.webhook.office.com/x' }],
    ['webhook without secret', { name: 'w', type: 'webhook', url: 'http://127.0.0.1:9000/hook' }],
    ['webhook with secret', { name: 'w', type: 'webhook', url: 'https://example.com/hook', secret: secret24 }],
  ])('accepts %s', (_name, body) => {
    expect(paths(body)).toEqual([]);
  });

  it.each([
    ['ftp url', { ...slack, url: 'ftp://example.com/x' }, ['url']],
    ['not a url', { ...slack, url: 'hooks.slack.com' }, ['url']],
    ['unknown type', { ...slack, type: 'email' }, ['type']],
    ['secret on a slack channel', { ...slack, secret: secret24 }, ['secret']],
    ['secret without prefix', { name: 'w', type: 'webhook', url: 'https://e.com', secret: 'abcd' }, ['secret']],
    ['secret too short', { name: 'w', type: 'webhook', url: 'https://e.com', secret: formatWebhookSecret(new Uint8Array(8)) }, ['secret']],
    ['missing url', { name: 'x', type: 'slack' }, ['url']],
    ['unknown key', { ...slack, token: 'x' }, ['token']],
  ])('refuses %s', (_name, body, expected) => {
    expect(paths(body)).toEqual(expected);
  });

  it('update accepts enabled alone (re-enabling after a 410)', () => {
    expect(paths({ enabled: true }, notificationChannelUpdateSchema)).toEqual([]);
    expect(paths({ type: 'teams', secret: secret24 }, notificationChannelUpdateSchema)).toEqual(['secret']);
  });
});

describe('channel secrets and URLs', () => {
  it.each([
    [secret24, null],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', null],
    [formatWebhookSecret(new Uint8Array(64)), null],
    [formatWebhookSecret(new Uint8Array(65)), /65/],
    ['whsec_not base64!', /base64/],
    ['sec_abc', /whsec_/],
  ])('webhookSecretProblem(%j)', (secret, expected) => {
    const problem = webhookSecretProblem(secret);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it('shows only the host of a URL', () => {
    expect(channelUrlHost('https://hooks.slack.com/services/T000/B000/SECRET')).toBe('hooks.slack.com');
    expect(channelUrlHost('http://localhost:9000/x?token=1')).toBe('localhost:9000');
    expect(channelUrlHost('nonsense')).toBe('');
  });

  it('the response schema has no url or secret', () => {
    const shape = notificationChannelResponseSchema.shape;
    expect(Object.keys(shape)).not.toContain('url');
    expect(Object.keys(shape)).not.toContain('secret');
    expect(Object.keys(shape)).toEqual(expect.arrayContaining(['id', 'urlHost', 'enabled', 'disabledReason']));
  });
});
