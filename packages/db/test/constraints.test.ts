import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { Database } from '../src/index.ts';
import {
  createTestDatabase,
  makeAgent,
  makeAlert,
  makeAlertConfig,
  makeAlertEvent,
  makeChannel,
  makeGatherJob,
  makeOrganization,
  makeRule,
  makeScrapeJob,
  makeTask,
  type TestDatabase,
} from '../src/testing/index.ts';

let test: TestDatabase;
let db: Kysely<Database>;
let orgId: OrganizationId;

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
});
afterAll(() => test.destroy());
beforeEach(async () => {
  orgId = (await makeOrganization(db)).id;
});

/** The Postgres SQLSTATE of a failed statement. */
async function sqlState(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}
const UNIQUE = '23505';
const CHECK = '23514';
const FOREIGN_KEY = '23503';

describe('alerts', () => {
  it('allow one open alert per config and refuse a second', async () => {
    const config = await makeAlertConfig(db, orgId);
    await makeAlert(db, orgId, config.id);
    expect(await sqlState(() => makeAlert(db, orgId, config.id, { severity: 'high' }))).toBe(UNIQUE);
  });

  it('keep any number of resolved alerts beside the open one', async () => {
    const config = await makeAlertConfig(db, orgId);
    const resolvedAt = new Date();
    await makeAlert(db, orgId, config.id, { status: 'resolved', resolved_at: resolvedAt });
    await makeAlert(db, orgId, config.id, { status: 'resolved', resolved_at: resolvedAt });
    await makeAlert(db, orgId, config.id);
    const count = await db.selectFrom('alerts').where('alert_config_id', '=', config.id).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  it('refuse a resolved alert without its resolution time', async () => {
    const config = await makeAlertConfig(db, orgId);
    expect(await sqlState(() => makeAlert(db, orgId, config.id, { status: 'resolved' }))).toBe(CHECK);
  });

  it('keep alert history when the config is deleted', async () => {
    const config = await makeAlertConfig(db, orgId);
    const alert = await makeAlert(db, orgId, config.id, { status: 'resolved', resolved_at: new Date() });
    await db.deleteFrom('alert_configs').where('id', '=', config.id).execute();
    const kept = await db.selectFrom('alerts').selectAll().where('id', '=', alert.id).executeTakeFirstOrThrow();
    expect(kept.alert_config_id).toBeNull();
    expect(kept.alert_config_name).toBe('kubernetes lag');
  });
});

describe('tasks', () => {
  it('refuse a second pending task for one job', async () => {
    const job = await makeGatherJob(db, orgId);
    await makeTask(db, orgId, job.id);
    expect(await sqlState(() => makeTask(db, orgId, job.id))).toBe(UNIQUE);
  });

  it('refuse a pending task while another for the same job is claimed', async () => {
    const job = await makeGatherJob(db, orgId);
    const agent = await makeAgent(db, orgId);
    await makeTask(db, orgId, job.id, { status: 'claimed', claimed_by: agent.id, lease_token: crypto.randomUUID() });
    expect(await sqlState(() => makeTask(db, orgId, job.id))).toBe(UNIQUE);
  });

  it('allow a new pending task once the previous one finished', async () => {
    const job = await makeGatherJob(db, orgId);
    await makeTask(db, orgId, job.id, { status: 'succeeded' });
    await makeTask(db, orgId, job.id, { status: 'failed' });
    const next = await makeTask(db, orgId, job.id);
    expect(next.job_id).toBe(job.id);
  });

  it('refuse a task whose kind does not match its job column', async () => {
    const job = await makeGatherJob(db, orgId);
    expect(await sqlState(() => makeTask(db, orgId, job.id, { kind: 'scrape' }))).toBe(CHECK);
  });

  it('refuse a claimed task without a lease token', async () => {
    const job = await makeGatherJob(db, orgId);
    expect(await sqlState(() => makeTask(db, orgId, job.id, { status: 'claimed' }))).toBe(CHECK);
  });

  it('go away with their job', async () => {
    const job = await makeGatherJob(db, orgId);
    const task = await makeTask(db, orgId, job.id);
    await db.deleteFrom('gather_jobs').where('id', '=', job.id).execute();
    expect(await db.selectFrom('tasks').select('id').where('id', '=', task.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('releases and snapshots', () => {
  it('keep one release per tag per gather job', async () => {
    const job = await makeGatherJob(db, orgId);
    const other = await makeGatherJob(db, orgId);
    const row = { organization_id: orgId, gather_job_id: job.id, tag: 'v1.30.0' };
    await db.insertInto('releases').values(row).execute();
    expect(await sqlState(() => db.insertInto('releases').values(row).execute())).toBe(UNIQUE);
    await db.insertInto('releases').values({ ...row, gather_job_id: other.id }).execute();
  });

  it('record one snapshot per task result', async () => {
    const job = await makeScrapeJob(db, orgId);
    const agent = await makeAgent(db, orgId);
    const gather = await makeGatherJob(db, orgId);
    const task = await makeTask(db, orgId, gather.id, { status: 'claimed', claimed_by: agent.id, lease_token: crypto.randomUUID() });
    const snapshot = { organization_id: orgId, scrape_job_id: job.id, version: '1.29.3', source: 'agent' as const, task_id: task.id };
    await db.insertInto('version_snapshots').values(snapshot).execute();
    expect(await sqlState(() => db.insertInto('version_snapshots').values(snapshot).execute())).toBe(UNIQUE);
  });
});

describe('jobs, rules and configs', () => {
  it('refuse a scraped (non-manual) job without a repository, file or expression', async () => {
    expect(await sqlState(() => makeScrapeJob(db, orgId, { repo_url: null }))).toBe(CHECK);
    expect(await sqlState(() => makeScrapeJob(db, orgId, { expression: null }))).toBe(CHECK);
    const manual = await makeScrapeJob(db, orgId, { parser: 'manual', repo_url: null, file_path: null, expression: null, schedule: null });
    expect(manual.parser).toBe('manual');
  });

  it.each([
    { moderate: 0, high: 1, critical: 2 },
    { moderate: 5, high: 4, critical: 6 },
    { moderate: 2, high: 4, critical: 3 },
  ])('refuse thresholds out of order: %o', async (thresholds) => {
    expect(await sqlState(() => makeRule(db, orgId, thresholds))).toBe(CHECK);
  });

  it('accept equal thresholds', async () => {
    const rule = await makeRule(db, orgId, { moderate: 3, high: 3, critical: 3 });
    expect(rule.critical).toBe(3);
  });

  it('refuse deleting a gather job, scrape job or rule an alert config uses', async () => {
    const config = await makeAlertConfig(db, orgId);
    expect(await sqlState(() => db.deleteFrom('gather_jobs').where('id', '=', config.gather_job_id).execute())).toBe(FOREIGN_KEY);
    expect(await sqlState(() => db.deleteFrom('scrape_jobs').where('id', '=', config.scrape_job_id).execute())).toBe(FOREIGN_KEY);
    expect(await sqlState(() => db.deleteFrom('rules').where('id', '=', config.rule_id).execute())).toBe(FOREIGN_KEY);
  });

  it('refuse an unknown source type', async () => {
    expect(await sqlState(() => makeGatherJob(db, orgId, { source_type: 'svn' as never }))).toBe(CHECK);
  });
});

describe('agents', () => {
  it('are identified by organization and name', async () => {
    await makeAgent(db, orgId, { name: 'site-west' });
    expect(await sqlState(() => makeAgent(db, orgId, { name: 'site-west' }))).toBe(UNIQUE);
    const otherOrg = await makeOrganization(db, 'Globex');
    await makeAgent(db, otherOrg.id, { name: 'site-west' });
  });
});

describe('deliveries', () => {
  it('make one delivery per event and channel', async () => {
    const config = await makeAlertConfig(db, orgId);
    const alert = await makeAlert(db, orgId, config.id);
    const event = await makeAlertEvent(db, orgId, alert.id);
    const channel = await makeChannel(db, orgId);
    const row = { organization_id: orgId, alert_event_id: event.id, channel_id: channel.id };
    await db.insertInto('deliveries').values(row).execute();
    expect(await sqlState(() => db.insertInto('deliveries').values(row).execute())).toBe(UNIQUE);
  });

  it('allow any number of test deliveries to a channel', async () => {
    const channel = await makeChannel(db, orgId);
    const row = { organization_id: orgId, kind: 'test' as const, alert_event_id: null, channel_id: channel.id };
    await db.insertInto('deliveries').values(row).execute();
    await db.insertInto('deliveries').values(row).execute();
  });
});

describe('organizations', () => {
  it('take every row of the tenant with them when deleted', async () => {
    const config = await makeAlertConfig(db, orgId);
    await makeAlert(db, orgId, config.id);
    await db.deleteFrom('organizations').where('id', '=', orgId).execute();
    for (const table of ['gather_jobs', 'alert_configs', 'alerts'] as const) {
      expect(await db.selectFrom(table).select('id').where('organization_id', '=', orgId).execute()).toEqual([]);
    }
  });
});

describe('task readiness', () => {
  it('is announced on the task-ready channel when a task becomes pending, and only on commit', async () => {
    const { TASK_READY_CHANNEL } = await import('../src/index.ts');
    const pg = (await import('pg')).default;
    const listener = new pg.Client({ connectionString: test.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`LISTEN ${TASK_READY_CHANNEL}`);
    try {
      const job = await makeGatherJob(db, orgId);
      await db.transaction().execute(async (trx) => {
        await makeTask(trx, orgId, job.id);
        await new Promise((r) => setTimeout(r, 100));
        expect(heard).toEqual([]);
      });
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([orgId]);
    } finally {
      await listener.end();
    }
  });
});
