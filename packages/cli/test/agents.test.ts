import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob, makeTask } from '@planekeeper/db/testing';
import { load } from 'js-yaml';
import { client, planekeeper, startCliWorld, tableRows, type CliWorld } from './helpers/cli.ts';

let world: CliWorld;
let westId: string;
let runningTaskId: string;

async function heartbeat(name: string): Promise<string> {
  const answer = await client(world.api.url, world.tenant.keys.agent).post('/api/v1/agent/heartbeat', {
    name, version: '2.4.1', hostname: `${name}.corp`, capabilities: ['gather', 'helm_sync'], credentials: ['github-pat', 'harbor'], maxConcurrentTasks: 3,
  });
  return answer.body.agentId as string;
}

const agentById = async (id: string) => (await client(world.api.url, world.tenant.keys.viewer).get(`/api/v1/agents/${id}`)).body;

beforeAll(async () => {
  world = await startCliWorld();
  westId = await heartbeat('site-west-1');
  await heartbeat('site-east-1');
  const job = await makeGatherJob(world.api.test.db, world.tenant.organizationId);
  runningTaskId = (await makeTask(world.api.test.db, world.tenant.organizationId, job.id, {
    status: 'claimed', claimed_by: westId, claimed_at: new Date(Date.now() - 120_000), lease_token: crypto.randomUUID(), lease_expires_at: new Date(Date.now() + 600_000), attempts: 1,
  })).id;
});
afterAll(() => world.stop());

describe('planekeeper describe agent', () => {
  it('shows everything the API says about the agent named, and the tasks it runs', async () => {
    const run = await planekeeper(['describe', 'agent', 'site-west-1'], world.env('viewer'));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const field = (label: string) => run.stdout.match(new RegExp(`^${label}: +(.*)$`, 'm'))?.[1];
    expect(field('Name')).toBe('site-west-1');
    expect(field('ID')).toBe(westId);
    expect(field('Status')).toBe('online');
    expect(field('Tasks')).toBe('1/3 running');
    expect(field('Hostname')).toBe('site-west-1.corp');
    expect(field('Version')).toBe('2.4.1');
    expect(field('Capabilities')).toBe('gather, helm_sync');
    expect(field('Credentials')).toBe('github-pat, harbor');
    expect(field('Draining')).toBe('no');
    expect(field('Last heartbeat at')).toMatch(/^\d+s ago \(\d{4}-\d\d-\d\dT.*Z\)$/);
    expect(field('Created at')).toMatch(/ago/);
    const [, tasks] = run.stdout.split('Running tasks:\n');
    expect(tableRows(tasks!.replace(/^ {2}/gm, ''))).toEqual([expect.objectContaining({ ID: runningTaskId, KIND: 'gather', ATTEMPTS: '1', CLAIMED: '2m', 'LEASE EXPIRES': expect.stringMatching(/^in (9|10)m$/) })]);
  });

  it('finds the agent by id too, and prints it with its running tasks as JSON or YAML', async () => {
    const json = await planekeeper(['describe', 'agent', westId, '-o', 'json'], world.env('viewer'));
    expect(json.code).toBe(0);
    const described = JSON.parse(json.stdout);
    expect(described).toMatchObject({ ...(await agentById(westId)), lastHeartbeatAt: expect.any(String), updatedAt: expect.any(String) });
    expect(described.runningTasks.map((t: { id: string }) => t.id)).toEqual([runningTaskId]);
    const yaml = await planekeeper(['describe', 'agent', 'site-east-1', '-o', 'yaml'], world.env('viewer'));
    expect(load(yaml.stdout)).toMatchObject({ name: 'site-east-1', runningTasks: [] });
  });

  it('says "none" for an agent that runs nothing', async () => {
    const run = await planekeeper(['describe', 'agent', 'site-east-1'], world.env('viewer'));
    expect(run.stdout).toMatch(/Running tasks:\n {2}none\n$/);
  });

  it('exits 3 with one line for an agent that does not exist', async () => {
    const run = await planekeeper(['describe', 'agent', 'site-north-9'], world.env('viewer'));
    expect(run).toEqual({ code: 3, stdout: '', stderr: 'error: agent "site-north-9" not found\n' });
    const byId = await planekeeper(['describe', 'agent', crypto.randomUUID()], world.env('viewer'));
    expect(byId.code).toBe(3);
  });

  it('needs the agent named', async () => {
    const run = await planekeeper(['describe', 'agent'], world.env('viewer'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("error: missing required argument 'name'\n");
  });
});

describe('planekeeper drain and uncordon agent', () => {
  it('drain an agent by name: it gets no new tasks and its running tasks are counted', async () => {
    const drained = await planekeeper(['drain', 'agent', 'site-west-1'], world.env('member'));
    expect(drained).toEqual({ code: 0, stdout: 'agent site-west-1 drained (online,draining); 1 task still running\n', stderr: '' });
    expect(await agentById(westId)).toMatchObject({ draining: true });
    const listed = tableRows((await planekeeper(['get', 'agents'], world.env('viewer'))).stdout).find((r) => r.NAME === 'site-west-1');
    expect(listed).toMatchObject({ STATUS: 'online,draining', TASKS: '1/3' });

    const again = await planekeeper(['drain', 'agent', 'site-west-1', '-o', 'json'], world.env('member'));
    expect(JSON.parse(again.stdout)).toMatchObject({ id: westId, draining: true });

    const back = await planekeeper(['uncordon', 'agent', 'site-west-1'], world.env('member'));
    expect(back).toEqual({ code: 0, stdout: 'agent site-west-1 uncordoned (online)\n', stderr: '' });
    expect(await agentById(westId)).toMatchObject({ draining: false });
  });

  it('exits 4 for a viewer key, with the API error as one line, and changes nothing', async () => {
    const run = await planekeeper(['drain', 'agent', 'site-east-1'], world.env('viewer'));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: forbidden: [^\n]+\n$/);
    expect(run.stdout).toBe('');
    const east = (await client(world.api.url, world.tenant.keys.viewer).get('/api/v1/agents')).body.items.find((a: { name: string }) => a.name === 'site-east-1');
    expect(east.draining).toBe(false);
  });

  it('exits 3 for an agent that does not exist', async () => {
    expect((await planekeeper(['uncordon', 'agent', 'nobody'], world.env('member'))).code).toBe(3);
  });
});

describe('planekeeper shows agent health', () => {
  it('flags a skewed clock and duplicate processes in get agents, and describes them with the health sample', async () => {
    const agent = client(world.api.url, world.tenant.keys.agent);
    const beat = (instanceId: string) =>
      agent.post('/api/v1/agent/heartbeat', {
        name: 'site-twins', version: '2.4.1', hostname: 'twins.corp', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 2,
        instanceId, clock: Date.now() + 95_000, roundTripMs: 10,
        health: { cpuPercent: 1.5, rssBytes: 60_000_000, loadAverage: [0.2, 0.1, 0.1], cacheFreeBytes: 5_000_000_000, runningTasks: 0 },
      });
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    for (const instanceId of [a, b, a]) expect((await beat(instanceId)).status).toBe(200);

    const list = await planekeeper(['get', 'agents'], world.env('viewer'));
    expect(list.code).toBe(0);
    expect(tableRows(list.stdout).find((r) => r.NAME === 'site-twins')).toMatchObject({ STATUS: 'online,duplicate_instances,clock_skew', TASKS: '0/2' });

    const run = await planekeeper(['describe', 'agent', 'site-twins'], world.env('viewer'));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const field = (label: string) => run.stdout.match(new RegExp(`^${label}: +(.*)$`, 'm'))?.[1];
    expect(field('Status')).toBe('online,duplicate_instances,clock_skew');
    expect(field('Duplicate instances')).toBe('yes');
    expect(field('Clock skew')).toMatch(/^\+9[4-6]\.\d s$/);
    expect(field('Instance ID')).toBe(a);
    expect(run.stdout).toMatch(/^Health:\n {2}Cpu: +1\.5 %\n {2}Memory rss: +57\.2 MiB\n {2}Load average: +0\.2, 0\.1, 0\.1\n {2}Cache free: +4\.7 GiB\n {2}Running tasks: +0\n/m);
    const warnings = run.stdout.split('Warnings:\n')[1]!.split('Running tasks:')[0]!;
    expect(warnings).toMatch(/^ {2}- clock skew: the agent's clock is 9\d s ahead of the server's/m);
    expect(warnings).toMatch(/^ {2}- duplicate_instances: .*AGENT_NAME$/m);
    await world.api.test.db.deleteFrom('agents').where('name', '=', 'site-twins').execute();
  });
});
