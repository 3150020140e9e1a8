import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlert, makeAlertConfig, makeGatherJob, makeTask } from '@planekeeper/db/testing';
import { client, planekeeper, startCliWorld, tableRows, type CliWorld } from './helpers/cli.ts';

let world: CliWorld;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  world = await startCliWorld();
});
afterAll(() => world.stop());

describe('planekeeper retry task', () => {
  it('runs a failed task again as a new pending task, and refuses a second retry with exit 5', async () => {
    const job = await makeGatherJob(world.api.test.db, world.tenant.organizationId);
    const failed = await makeTask(world.api.test.db, world.tenant.organizationId, job.id, { status: 'failed', error: 'github answered 502', completed_at: new Date() });

    const run = await planekeeper(['retry', 'task', failed.id], world.env('member'));
    expect(run.code).toBe(0);
    const [, newId] = run.stdout.match(/^task (\S+) retried as task (\S+) \(pending\)\n$/)!.slice(1);
    expect(newId).toMatch(UUID);
    const rows = tableRows((await planekeeper(['get', 'tasks', '--job', job.id], world.env('viewer'))).stdout);
    expect(rows.map((r) => [r.ID, r.STATUS])).toEqual([[newId, 'pending'], [failed.id, 'failed']]);

    const again = await planekeeper(['retry', 'task', failed.id], world.env('member'));
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(new RegExp(`^error: conflict: job ${job.id} already has a pending task \\(${newId}\\)[^\\n]*\\n$`));
    expect(again.stdout).toBe('');
  });

  it('prints the new task as JSON for scripts', async () => {
    const job = await makeGatherJob(world.api.test.db, world.tenant.organizationId);
    const failed = await makeTask(world.api.test.db, world.tenant.organizationId, job.id, { status: 'failed', error: 'boom' });
    const run = await planekeeper(['retry', 'task', failed.id, '-o', 'json'], world.env('member'));
    expect(JSON.parse(run.stdout)).toMatchObject({ jobId: job.id, status: 'pending', attempts: 0 });
  });

  it('exits 5 for a task that did not fail, 3 for an unknown task, 2 for a malformed id, 4 for a viewer', async () => {
    const job = await makeGatherJob(world.api.test.db, world.tenant.organizationId);
    const done = await makeTask(world.api.test.db, world.tenant.organizationId, job.id, { status: 'succeeded', completed_at: new Date() });
    const succeeded = await planekeeper(['retry', 'task', done.id], world.env('member'));
    expect(succeeded).toMatchObject({ code: 5, stderr: `error: conflict: task ${done.id} is succeeded: only a failed task can be retried\n` });
    const unknown = crypto.randomUUID();
    expect(await planekeeper(['retry', 'task', unknown], world.env('member'))).toEqual({ code: 3, stdout: '', stderr: `error: not_found: task ${unknown} not found\n` });
    const malformed = await planekeeper(['retry', 'task', 'last-one'], world.env('member'));
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^error: validation_failed: .*params\.id[^\n]*\n$/);
    expect((await planekeeper(['retry', 'task', done.id], world.env('viewer'))).code).toBe(4);
  });
});

describe('planekeeper ack and unack alert', () => {
  it('acknowledge an open alert and withdraw it, as the API records it', async () => {
    const config = await makeAlertConfig(world.api.test.db, world.tenant.organizationId);
    const alert = await makeAlert(world.api.test.db, world.tenant.organizationId, config.id);
    const read = async () => (await client(world.api.url, world.tenant.keys.viewer).get(`/api/v1/alerts/${alert.id}`)).body;

    expect(await planekeeper(['ack', 'alert', alert.id], world.env('member'))).toEqual({ code: 0, stdout: `alert ${alert.id} acknowledged\n`, stderr: '' });
    expect(await read()).toMatchObject({ acknowledged: true, acknowledgedBy: 'member key' });
    expect(tableRows((await planekeeper(['get', 'alerts'], world.env('viewer'))).stdout).find((r) => r.ID === alert.id)).toMatchObject({ ACK: 'yes' });

    const unack = await planekeeper(['unack', 'alert', alert.id, '-o', 'yaml'], world.env('member'));
    expect(unack.code).toBe(0);
    expect(unack.stdout).toContain('acknowledged: false');
    expect(await read()).toMatchObject({ acknowledged: false });
  });

  it('exits 3 for an unknown alert and 4 for a viewer', async () => {
    expect((await planekeeper(['ack', 'alert', crypto.randomUUID()], world.env('member'))).code).toBe(3);
    const config = await makeAlertConfig(world.api.test.db, world.tenant.organizationId);
    const alert = await makeAlert(world.api.test.db, world.tenant.organizationId, config.id);
    const denied = await planekeeper(['ack', 'alert', alert.id], world.env('viewer'));
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/^error: forbidden: [^\n]+\n$/);
  });
});

describe('planekeeper create api-key', () => {
  it('prints the new key once, on a line of its own, and the key works', async () => {
    const run = await planekeeper(['create', 'api-key', '--name', 'ci', '--role', 'viewer'], world.env('admin'));
    expect(run.code).toBe(0);
    const [summary, key] = run.stdout.trimEnd().split('\n');
    expect(summary).toMatch(/^api key ci created \(id [0-9a-f-]{36}, role viewer\)$/);
    expect(key).toMatch(/^pk_\S+$/);
    expect(run.stderr).toBe('note: the key is shown only now: store it in a secret manager\n');

    const withNewKey = await planekeeper(['get', 'agents', '-o', 'json'], { PLANEKEEPER_URL: world.api.url, PLANEKEEPER_API_KEY: key! });
    expect(withNewKey).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    const keys = await client(world.api.url, world.tenant.keys.admin).get('/api/v1/api-keys');
    expect(keys.body.items.find((k: { name: string }) => k.name === 'ci')).toMatchObject({ role: 'viewer' });
    expect(JSON.stringify(keys.body)).not.toContain(key);
  });

  it('gives scripts the key in JSON', async () => {
    const run = await planekeeper(['create', 'api-key', '--name', 'deployer', '--role', 'member', '-o', 'json'], world.env('admin'));
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'deployer', role: 'member', key: expect.stringMatching(/^pk_/) });
  });

  it('checks the role before asking, and exits 4 when the caller may not make keys', async () => {
    const badRole = await planekeeper(['create', 'api-key', '--name', 'x', '--role', 'root'], world.env('admin'));
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("argument 'root' is invalid. Allowed choices are admin, member, viewer, agent.");
    expect((await planekeeper(['create', 'api-key', '--role', 'viewer'], world.env('admin'))).stderr).toBe("error: required option '--name <name>' not specified\n");
    const member = await planekeeper(['create', 'api-key', '--name', 'sneaky', '--role', 'admin'], world.env('member'));
    expect(member.code).toBe(4);
    expect(member.stdout).toBe('');
  });

  it('reports a name the API refuses as one line with the field, exit 2', async () => {
    const run = await planekeeper(['create', 'api-key', '--name', 'x'.repeat(300), '--role', 'viewer'], world.env('admin'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: validation_failed: .*name[^\n]*\n$/);
  });
});
