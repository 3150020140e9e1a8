/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { startApp, type RunningApp } from '../support/app-process.ts';
import { PUBLIC_ADDRESS, startInPublicLookingNetwork, startPostgresBridge, type PublicLookingNetwork } from '../support/netns.ts';
import { BOOTSTRAP_KEY, eventually } from '../support/stack.ts';
import { caller, type Call } from './tenants.ts';

// The real notifier process with NOTIFIER_ALLOW_PRIVATE_TARGETS unset, in a network namespace of
// its own where hooks.example.test is a public address (bound there only) and names and
// redirects lead to a private receiver on 127.0.0.1. The public receiver is the control: it must
// get its webhook, so every refusal below is the address check and not a broken setup.

const PRIVATE_PORT = 8099;
let test: TestDatabase;
let api: RunningApp;
let notifier: PublicLookingNetwork;
let bridge: { url: string; close(): Promise<void> };
let call: Call;
let admin: string;

beforeAll(async () => {
  test = await createTestDatabase();
  api = await startApp('api', { DATABASE_URL: test.url, PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, API_RATE_LIMIT_PER_MINUTE: '0' });
  call = caller(api.url);
  admin = (await call('POST', '/api/v1/organizations', { name: 'ssrf' })).body.adminKey.key;
  bridge = await startPostgresBridge(test.url);
  notifier = await startInPublicLookingNetwork({
    app: 'notifier',
    // The whole environment: NOTIFIER_ALLOW_PRIVATE_TARGETS is not set, as in production.
    env: {
      DATABASE_URL: bridge.url, PORT: '8083', LOG_LEVEL: 'info', PUBLIC_URL: 'https://planekeeper.example.com',
      NOTIFIER_RETRY_BASE_SECONDS: '0.2', NOTIFIER_RETRY_LIMIT: '1', NOTIFIER_POLL_INTERVAL_SECONDS: '0.5', NOTIFIER_REQUEST_TIMEOUT_SECONDS: '5',
    },
    hosts: {
      'hooks.example.test': [PUBLIC_ADDRESS],
      'internal.example.test': ['127.0.0.1'],
      'mixed.example.test': [PUBLIC_ADDRESS, '127.0.0.1'],
      'v6.example.test': ['::1'],
    },
    privatePort: PRIVATE_PORT,
    readyLine: /"msg":"notifier started"/,
  });
}, 120_000);

afterAll(async () => {
  await notifier?.stop();
  await bridge?.close();
  await api?.stop();
  await test?.destroy();
});

const P = PRIVATE_PORT;
const cases: [string, string, string, 'succeeded' | 'failed', RegExp | null][] = [
  ['a public receiver (the control)', 'webhook', 'http://hooks.example.test/ok', 'succeeded', null],
  ['a name that resolves to 127.0.0.1', 'webhook', `http://internal.example.test:${P}/hook`, 'failed', /^refused: target host internal\.example\.test resolves to 127\.0\.0\.1, which is loopback, not public; set NOTIFIER_ALLOW_PRIVATE_TARGETS=true/],
  ['localhost', 'slack', `http://localhost:${P}/services/T0/B0/x`, 'failed', /^refused: target host localhost resolves to (127\.0\.0\.1|::1), which is loopback, not public/],
  ['a name with a public and a private address', 'webhook', `http://mixed.example.test:${P}/hook`, 'failed', /^refused: target host mixed\.example\.test resolves to 127\.0\.0\.1, which is loopback, not public/],
  ['a name that resolves to ::1', 'discord', `http://v6.example.test:${P}/hook`, 'failed', /^refused: target host v6\.example\.test resolves to (::1|127\.0\.0\.1), which is loopback, not public/],
  ['127.0.0.1', 'webhook', `http://127.0.0.1:${P}/hook`, 'failed', /^refused: target address 127\.0\.0\.1 is loopback, not public/],
  ['127.0.0.1 written as a number', 'webhook', `http://2130706433:${P}/hook`, 'failed', /^refused: target address 127\.0\.0\.1 is loopback, not public/],
  ['127.0.0.1 written short', 'teams', `http://127.1:${P}/hook`, 'failed', /^refused: target address 127\.0\.0\.1 is loopback, not public/],
  ['127.0.0.1 as an IPv4-mapped IPv6 address', 'webhook', `http://[::ffff:127.0.0.1]:${P}/hook`, 'failed', /^refused: target address ::ffff:7f00:1 is IPv4-mapped, not public/],
  ['0.0.0.0', 'webhook', `http://0.0.0.0:${P}/hook`, 'failed', /^refused: target address 0\.0\.0\.0 is unspecified/],
  ['the cloud metadata address', 'webhook', 'http://169.254.169.254/latest/meta-data/', 'failed', /^refused: target address 169\.254\.169\.254 is link-local, not public/],
  ['a public receiver redirecting to 127.0.0.1', 'webhook', 'http://hooks.example.test/redirect-loopback', 'failed', /^HTTP 307 Temporary Redirect: redirect to 127\.0\.0\.1:8099 not followed \(redirects are refused\)/],
  ['a public receiver redirecting to a name of 127.0.0.1', 'webhook', 'http://hooks.example.test/redirect-name', 'failed', /^HTTP 307 Temporary Redirect: redirect to internal\.example\.test:8099 not followed \(redirects are refused\)/],
  ['a public receiver redirecting to the metadata address', 'slack', 'http://hooks.example.test/redirect-metadata', 'failed', /^HTTP 307 Temporary Redirect: redirect to 169\.254\.169\.254 not followed \(redirects are refused\)/],
];

describe('outgoing webhooks with NOTIFIER_ALLOW_PRIVATE_TARGETS unset (real notifier process)', () => {
  const deliveries = new Map<string, Promise<any>>();
  beforeAll(async () => {
    for (const [name, type, url] of cases) {
      const channel = await call('POST', '/api/v1/notification-channels', { name, type, url }, admin);
      if (channel.status !== 201) throw new Error(`channel ${name}: ${channel.status} ${JSON.stringify(channel.body)}`);
      const test = await call('POST', `/api/v1/notification-channels/${channel.body.id}/test`, undefined, admin);
      const id = test.body.id as string;
      const settled = eventually(`the delivery to ${name}`, async () => {
        const delivery = (await call('GET', `/api/v1/deliveries/${id}`, undefined, admin)).body;
        return ['succeeded', 'failed', 'dead'].includes(delivery?.status) ? delivery : undefined;
      }, 45_000);
      settled.catch(() => undefined);
      deliveries.set(name, settled);
    }
  });

  it.each(cases)('%s (%s %s): %s', async (name, _type, _url, status, error) => {
    const delivery = await deliveries.get(name);
    expect({ name, status: delivery.status }).toEqual({ name, status });
    if (error) expect(delivery.lastError).toMatch(error);
  }, 60_000);

  it('sent nothing to the private receiver, not even a connection, and followed no redirect', async () => {
    await Promise.allSettled(deliveries.values());
    const hits = notifier.hits();
    expect(hits.filter((hit) => hit.receiver === 'private')).toEqual([]);
    const publicPaths = hits.filter((hit) => hit.receiver === 'public' && hit.what === 'request').map((hit) => hit.path).sort();
    expect(publicPaths).toEqual(['/ok', '/redirect-loopback', '/redirect-metadata', '/redirect-name']);
    expect(notifier.child.exitCode).toBeNull();
    expect(notifier.lines.some((line) => line.includes('"allowPrivateTargets":false'))).toBe(true);
  });
});
