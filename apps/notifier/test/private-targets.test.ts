import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { attemptsOf, makeScenario, settledDelivery, startNotifier, type NotifierUnderTest } from './helpers/notifier.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';

let notifier: NotifierUnderTest;
let hook: Receiver;

beforeAll(async () => {
  // The production default: private targets refused.
  notifier = await startNotifier({ NOTIFIER_ALLOW_PRIVATE_TARGETS: 'false' });
  hook = await startReceiver(() => ({ status: 200 }));
});
afterAll(async () => {
  await hook.close();
  await notifier.stop();
});

describe('private targets (NOTIFIER_ALLOW_PRIVATE_TARGETS=false)', () => {
  it('refuses a loopback address for good, without connecting', async () => {
    const scenario = await makeScenario(notifier.db, { type: 'webhook', url: `http://127.0.0.1:${hook.port}/hook` });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    const failed = await settledDelivery(notifier.db, scenario.organizationId, 'failed');
    expect(failed).toMatchObject({ attempts: 1, last_status_code: null });
    expect(failed.last_error).toBe('refused: target address 127.0.0.1 is loopback, not public; set NOTIFIER_ALLOW_PRIVATE_TARGETS=true to allow such targets');
    expect((await attemptsOf(notifier.db, failed.id)).map((a) => a.outcome)).toEqual(['permanent']);
    expect(hook.requests).toHaveLength(0);
  });

  it('refuses a name that resolves to a loopback address (checked after DNS resolution)', async () => {
    const scenario = await makeScenario(notifier.db, { type: 'slack', url: `http://localhost:${hook.port}/services/x` });
    await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
    const failed = await settledDelivery(notifier.db, scenario.organizationId, 'failed');
    expect(failed.last_error).toMatch(/^refused: target host localhost resolves to (127\.0\.0\.1|::1), which is loopback, not public; set NOTIFIER_ALLOW_PRIVATE_TARGETS=true/);
    expect(hook.requests).toHaveLength(0);
  });

  it('refuses link-local (cloud metadata) and IPv6 loopback literals', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', `http://[::1]:${hook.port}/hook`]) {
      const scenario = await makeScenario(notifier.db, { type: 'discord', url });
      await notifier.sendAlertEvent({ organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });
      const failed = await settledDelivery(notifier.db, scenario.organizationId, 'failed');
      expect(failed.last_error).toMatch(/^refused: target address (169\.254\.169\.254 is link-local|::1 is loopback)/);
    }
    expect(hook.requests).toHaveLength(0);
    const metrics = await (await fetch(`http://127.0.0.1:${notifier.service.port}/metrics`)).text();
    expect(metrics).toMatch(/planekeeper_deliveries_total\{channel_type="discord",outcome="refused",service="notifier"\} 2/);
  });
});
