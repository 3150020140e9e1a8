import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlert, makeAlertConfig, makeGatherJob, makeScrapeJob, makeTask } from '@planekeeper/db/testing';
import { load } from 'js-yaml';
import { sql } from 'kysely';
import { client, planekeeper, startCliWorld, tableRows, type CliWorld } from './helpers/cli.ts';

let world: CliWorld;
const ids: Record<string, string> = {};

async function heartbeat(name: string, maxConcurrentTasks = 4): Promise<string> {
  const answer = await client(world.api.url, world.tenant.keys.agent).post('/api/v1/agent/heartbeat', {
    name, version: '2.4.1', hostname: `${name}.site`, capabilities: ['gather', 'scrape'], credentials: ['github-pat'], maxConcurrentTasks,
  });
  return answer.body.agentId as string;
}

beforeAll(async () => {
  world = await startCliWorld();
  const { db } = world.api.test;
  const org = world.tenant.organizationId;
  ids.west = await heartbeat('site-west-1');
  ids.east = await heartbeat('site-east-1', 10);
  ids.gone = await heartbeat('site-gone');
  await db.updateTable('agents').set({ last_heartbeat_at: new Date(Date.now() - 3 * 3600_000) }).where('id', '=', ids.gone).execute();
  await db.updateTable('agents').set({ draining: true }).where('id', '=', ids.east).execute();

  const github = await makeGatherJob(db, org, { name: 'kubernetes releases' });
  ids.github = github.id;
  ids.helm = (await makeGatherJob(db, org, { name: 'ingress chart', source_type: 'helm_repo', source: JSON.stringify({ repoUrl: 'https://kubernetes.github.io/ingress-nginx', chart: 'ingress-nginx' }), enabled: false })).id;
  ids.scrape = (await makeScrapeJob(db, org, { name: 'cluster versions' })).id;
  ids.manual = (await makeScrapeJob(db, org, { name: 'hand-kept', parser: 'manual', repo_url: null, file_path: null, expression: null, schedule: null })).id;
  ids.cluster = (await makeScrapeJob(db, org, {
    name: 'ingress in prod', parser: 'kubernetes', repo_url: null, file_path: null, expression: null, credential_name: 'prod-eu',
    kubernetes: JSON.stringify({ namespace: 'ingress-nginx', selector: 'app=ingress-nginx' }),
  })).id;
  const lease = { status: 'claimed' as const, claimed_at: new Date(), lease_token: crypto.randomUUID(), lease_expires_at: new Date(Date.now() + 300_000), attempts: 1 };
  ids.running = (await makeTask(db, org, github.id, { ...lease, claimed_by: ids.west })).id;
  ids.failed = (await makeTask(db, org, ids.helm, { status: 'failed', error: 'helm repo answered 503', completed_at: new Date(), claimed_by: ids.east, attempts: 2 })).id;
  ids.scrapeTask = (await makeTask(db, org, ids.scrape, { kind: 'scrape', gather_job_id: null, scrape_job_id: ids.scrape, status: 'succeeded', completed_at: new Date() })).id;

  const config = await makeAlertConfig(db, org, { name: 'kubernetes lag' });
  ids.open = (await makeAlert(db, org, config.id, { severity: 'high', behind_by: 3 })).id;
  ids.resolved = (await makeAlert(db, org, config.id, { status: 'resolved', resolved_at: new Date(), rule_type: 'days_behind', behind_by: 40 })).id;
});
afterAll(() => world.stop());

describe('planekeeper get agents', () => {
  it('prints NAME STATUS VERSION TASKS LAST SEEN, with running/max tasks and ages', async () => {
    const run = await planekeeper(['get', 'agents'], world.env('viewer'));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')[0]).toMatch(/^NAME {3,}STATUS {3,}VERSION {3,}TASKS {3,}LAST SEEN$/);
    const rows = Object.fromEntries(tableRows(run.stdout).map((r) => [r.NAME, r]));
    expect(rows['site-west-1']).toMatchObject({ STATUS: 'online', VERSION: '2.4.1', TASKS: '1/4' });
    expect(rows['site-west-1']!['LAST SEEN']).toMatch(/^\d+s$/);
    expect(rows['site-east-1']).toMatchObject({ STATUS: 'online,draining', TASKS: '0/10' });
    expect(rows['site-gone']).toMatchObject({ STATUS: 'offline', 'LAST SEEN': '3h' });
  });

  it('prints every field the API gives as JSON or YAML', async () => {
    const json = await planekeeper(['get', 'agents', '-o', 'json'], world.env('viewer'));
    expect(json.code).toBe(0);
    const agents = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(agents.find((a) => a.name === 'site-west-1')).toMatchObject({ id: ids.west, hostname: 'site-west-1.site', credentials: ['github-pat'], online: true, draining: false });
    const yaml = await planekeeper(['-o', 'yaml', 'get', 'agents'], world.env('viewer'));
    expect(yaml.code).toBe(0);
    expect(load(yaml.stdout)).toEqual(agents);
  });

  it('renders a hostile agent name as text, not as terminal escapes', async () => {
    await heartbeat('evil\u001b[2Jname\u202e');
    const run = await planekeeper(['get', 'agents'], world.env('viewer'));
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('\u202e');
    expect(run.stdout).toContain('evil?[2Jname?');
    await world.api.test.db.deleteFrom('agents').where('name', 'like', 'evil%').execute();
  });
});

describe('planekeeper get tasks', () => {
  it('lists tasks with their agent by name, filtered by status, kind and job', async () => {
    const all = tableRows((await planekeeper(['get', 'tasks'], world.env('viewer'))).stdout);
    expect(all.map((r) => r.ID)).toEqual([ids.scrapeTask, ids.failed, ids.running]);
    expect(all.find((r) => r.ID === ids.running)).toMatchObject({ KIND: 'gather', STATUS: 'claimed', JOB: ids.github, AGENT: 'site-west-1', ATTEMPTS: '1', ERROR: '-' });

    const failed = await planekeeper(['get', 'tasks', '--status', 'failed'], world.env('viewer'));
    expect(tableRows(failed.stdout)).toEqual([expect.objectContaining({ ID: ids.failed, AGENT: 'site-east-1', ATTEMPTS: '2', ERROR: 'helm repo answered 503' })]);
    expect(tableRows((await planekeeper(['get', 'tasks', '--kind', 'scrape'], world.env('viewer'))).stdout).map((r) => r.ID)).toEqual([ids.scrapeTask]);
    expect(tableRows((await planekeeper(['get', 'tasks', '--job', ids.github!], world.env('viewer'))).stdout).map((r) => r.ID)).toEqual([ids.running]);
  });

  it('follows nextCursor up to --limit and says when there is more', async () => {
    await sql`INSERT INTO tasks (organization_id, kind, gather_job_id, spec, status, error, completed_at, created_at)
              SELECT ${world.tenant.organizationId}, 'gather', ${ids.github}, '{}', 'failed', 'old failure ' || n, now(), now() - make_interval(days => 1, secs => n)
                FROM generate_series(1, 600) AS n`.execute(world.api.test.db);
    const capped = await planekeeper(['get', 'tasks', '--status', 'failed', '--limit', '550', '-o', 'json'], world.env('viewer'));
    expect(capped.code).toBe(0);
    const items = JSON.parse(capped.stdout) as Array<{ id: string }>;
    expect(items).toHaveLength(550);
    expect(new Set(items.map((t) => t.id)).size).toBe(550);
    expect(capped.stderr).toBe('(showing the first 550 tasks; pass --limit to see more)\n');

    const everything = await planekeeper(['get', 'tasks', '--status', 'failed', '--limit', '5000', '-o', 'json'], world.env('viewer'));
    expect(JSON.parse(everything.stdout)).toHaveLength(601);
    expect(everything.stderr).toBe('');
    const byDefault = await planekeeper(['get', 'tasks', '--status', 'failed'], world.env('viewer'));
    expect(tableRows(byDefault.stdout)).toHaveLength(500);
    expect(byDefault.stderr).toContain('showing the first 500 tasks');
    await world.api.test.db.deleteFrom('tasks').where('error', 'like', 'old failure %').execute();
  });

  it('refuses a status the API does not know, before asking it', async () => {
    const run = await planekeeper(['get', 'tasks', '--status', 'running'], world.env('viewer'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: option '--status <status>' argument 'running' is invalid\. Allowed choices are pending, claimed, succeeded, failed\.\n$/);
    const badLimit = await planekeeper(['get', 'tasks', '--limit', '0'], world.env('viewer'));
    expect(badLimit.code).toBe(2);
  });

  it('passes a bad job id to the API and reports its 400 as one line, exit 2', async () => {
    const run = await planekeeper(['get', 'tasks', '--job', 'seven'], world.env('viewer'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: validation_failed: .*query\.jobId.*\n$/);
    expect(run.stdout).toBe('');
  });
});

describe('planekeeper get alerts', () => {
  it('lists alerts with how far behind, filtered by status and severity', async () => {
    const rows = tableRows((await planekeeper(['get', 'alerts'], world.env('viewer'))).stdout);
    expect(rows.map((r) => r.ID)).toEqual([ids.resolved, ids.open]);
    expect(rows[1]).toMatchObject({ CONFIG: 'kubernetes lag', SEVERITY: 'high', STATUS: 'open', DEPLOYED: '1.2.0', LATEST: '1.8.0', BEHIND: '3 minors', ACK: 'no' });
    expect(rows[0]).toMatchObject({ STATUS: 'resolved', BEHIND: '40d' });
    expect(tableRows((await planekeeper(['get', 'alerts', '--status', 'open'], world.env('viewer'))).stdout).map((r) => r.ID)).toEqual([ids.open]);
    expect(tableRows((await planekeeper(['get', 'alerts', '--severity', 'critical'], world.env('viewer'))).stdout)).toEqual([]);
  });

  it('says so on stderr when nothing matches, exit 0', async () => {
    const run = await planekeeper(['get', 'alerts', '--severity', 'critical'], world.env('viewer'));
    expect(run).toEqual({ code: 0, stdout: '', stderr: 'No alerts found.\n' });
    const json = await planekeeper(['get', 'alerts', '--severity', 'critical', '-o', 'json'], world.env('viewer'));
    expect(json).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });
});

describe('planekeeper get gather-jobs and scrape-jobs', () => {
  it('lists gather jobs with their source, filtered by source type and enabled', async () => {
    const rows = tableRows((await planekeeper(['get', 'gather-jobs'], world.env('viewer'))).stdout);
    const byName = Object.fromEntries(rows.map((r) => [r.ID, r]));
    expect(byName[ids.github!]).toMatchObject({ NAME: 'kubernetes releases', SOURCE: 'github:kubernetes/kubernetes', SCHEDULE: '0 */6 * * *', ENABLED: 'yes' });
    expect(byName[ids.helm!]).toMatchObject({ SOURCE: 'helm:https://kubernetes.github.io/ingress-nginx ingress-nginx', ENABLED: 'no' });
    expect(tableRows((await planekeeper(['get', 'gather-jobs', '--disabled'], world.env('viewer'))).stdout).map((r) => r.ID)).toEqual([ids.helm]);
    expect(tableRows((await planekeeper(['get', 'gather-jobs', '--source-type', 'helm_repo'], world.env('viewer'))).stdout).map((r) => r.ID)).toEqual([ids.helm]);
    expect(tableRows((await planekeeper(['get', 'gather-jobs', '--enabled'], world.env('viewer'))).stdout).map((r) => r.ID)).not.toContain(ids.helm);
    const both = await planekeeper(['get', 'gather-jobs', '--enabled', '--disabled'], world.env('viewer'));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--enabled' cannot be used with option '--disabled'");
  });

  it('lists scrape jobs with where they read, filtered by parser', async () => {
    const rows = tableRows((await planekeeper(['get', 'scrape-jobs'], world.env('viewer'))).stdout);
    const byId = Object.fromEntries(rows.map((r) => [r.ID, r]));
    expect(byId[ids.scrape!]).toMatchObject({ NAME: 'cluster versions', PARSER: 'yq', SOURCE: 'https://git.example.com/platform/cluster.git:cluster/versions.yaml@main', SCHEDULE: '*/30 * * * *' });
    expect(byId[ids.manual!]).toMatchObject({ PARSER: 'manual', SOURCE: '-', SCHEDULE: '-' });
    expect(byId[ids.cluster!]).toMatchObject({ PARSER: 'kubernetes', SOURCE: 'k8s:prod-eu/ingress-nginx app=ingress-nginx' });
    expect(tableRows((await planekeeper(['get', 'scrape-jobs', '--parser', 'manual'], world.env('viewer'))).stdout).map((r) => r.ID)).toEqual([ids.manual]);
  });
});
