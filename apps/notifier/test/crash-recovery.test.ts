import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBoss, sendJob } from '@planekeeper/db';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { alertEventQueue } from '@planekeeper/domain';
import { PgBoss } from 'pg-boss';
import { deliveriesOf, FAST_ENV, jobsOf, makeScenario, settledDelivery, waitFor } from './helpers/notifier.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let test: TestDatabase;
let hook: Receiver;
let sender: PgBoss;
let supervisor: PgBoss;
const children: ChildProcess[] = [];
const output: string[] = [];

/** The notifier as production runs it: its own process, from its sources. */
function startNotifierProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', 'src/main.ts'], {
    cwd: appDir,
    env: { PATH: process.env.PATH, DATABASE_URL: test.url, PORT: '0', LOG_LEVEL: 'info', ...FAST_ENV, NOTIFIER_REQUEST_TIMEOUT_SECONDS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  children.push(child);
  return child;
}

beforeAll(async () => {
  test = await createTestDatabase();
  sender = createBoss(test.url, { logger: { warn: () => undefined, error: () => undefined }, applicationName: 'crash-test', max: 2, supervise: false });
  await sender.start();
  // Stands in for the installation's other pg-boss instances, whose supervisors notice a job whose
  // heartbeat stopped; they look every 60 s, this one every second to keep the test short.
  supervisor = new PgBoss({ connectionString: test.url, max: 2, schedule: false, superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 });
  supervisor.on('error', () => undefined);
  await supervisor.start();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await hook?.close();
  await supervisor.stop({ graceful: false, close: true });
  await sender.stop({ graceful: false, close: true });
  await test.destroy();
});

describe('crash safety', () => {
  it('still delivers, with the same webhook-id, when the notifier is killed in the middle of a delivery', async () => {
    hook = await startReceiver((_request, index) => (index === 0 ? 'hold' : { status: 200 }));
    const scenario = await makeScenario(test.db, { type: 'webhook', url: `${hook.url}/hook` });
    const first = startNotifierProcess();
    await sendJob(sender, null, alertEventQueue, { organizationId: scenario.organizationId, alertEventId: scenario.alertEventId });

    const [held] = await hook.waitForRequests(1, 20_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const [pending] = await deliveriesOf(test.db, scenario.organizationId);
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });

    startNotifierProcess();
    const delivered = await settledDelivery(test.db, scenario.organizationId, 'succeeded', 45_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nnotifier output:\n${output.join('')}`);
    });
    const [, retried] = await hook.waitForRequests(2);
    expect(held!.headers['webhook-id']).toBe(delivered.id);
    expect(retried!.headers['webhook-id']).toBe(delivered.id);
    expect(retried!.body).toBe(held!.body);
    expect(delivered).toMatchObject({ attempts: 1, last_status_code: 200 });
    // pg-boss retried the same job (the one the delivery names), rather than a new one appearing.
    // The delivery is recorded before pg-boss completes its job: wait for the job to settle.
    const states = await waitFor('the delivery job settled', async () => {
      const jobs = (await jobsOf(test.db, 'notification.deliver', delivered.id)).map((job) => job.state);
      return jobs.every((state) => state !== 'active' && state !== 'created' && state !== 'retry') && jobs;
    });
    expect(states).toEqual(['completed']);
  }, 60_000);
});
