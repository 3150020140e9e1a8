import { generateApiKey, type Database } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';

/** An organization with an agent key and an admin key, made straight in the database. */
export async function makeBenchTenant(db: Kysely<Database>): Promise<{ organizationId: OrganizationId; agentKey: string; agentKeyId: string; adminKey: string }> {
  const organization = await db.insertInto('organizations').values({ name: 'bench' }).returning('id').executeTakeFirstOrThrow();
  const keys: Record<string, { key: string; id: string }> = {};
  for (const role of ['agent', 'admin'] as const) {
    const generated = generateApiKey();
    const { id } = await db.insertInto('api_keys').values({ organization_id: organization.id, name: `bench ${role}`, role, key_hash: generated.hash, key_prefix: generated.prefix }).returning('id').executeTakeFirstOrThrow();
    keys[role] = { key: generated.key, id };
  }
  return { organizationId: organization.id, agentKey: keys.agent!.key, agentKeyId: keys.agent!.id, adminKey: keys.admin!.key };
}

/**
 * `count` pending tasks, each of its own gather or scrape job, in random order: a third are scrape
 * tasks and a fifth need the credential `corp-registry`, so capability and credential matching
 * both work.
 */
export async function makePendingTasks(db: Kysely<Database>, organizationId: string, count: number): Promise<void> {
  await sql`
    WITH g AS (
      INSERT INTO gather_jobs (organization_id, name, source_type, source, schedule, enabled, next_run_at)
      SELECT ${organizationId}, 'bench gather ' || i, 'github_release', '{"owner":"o","repo":"r"}', '0 0 1 1 *', false, NULL
        FROM generate_series(1, ${count}) AS i WHERE i % 3 <> 0
      RETURNING id
    ), s AS (
      INSERT INTO scrape_jobs (organization_id, name, repo_url, file_path, parser, expression, schedule, enabled)
      SELECT ${organizationId}, 'bench scrape ' || i, 'https://git.example.com/deploy.git', 'values.yaml', 'yq', '.image.tag', '0 0 1 1 *', false
        FROM generate_series(1, ${count}) AS i WHERE i % 3 = 0
      RETURNING id
    ), jobs AS (
      SELECT id, 'gather' AS kind FROM g UNION ALL SELECT id, 'scrape' FROM s
    ), numbered AS (SELECT id, kind, row_number() OVER (ORDER BY random()) AS n FROM jobs)
    INSERT INTO tasks (organization_id, kind, gather_job_id, scrape_job_id, spec, credential_name, scheduled_at)
    SELECT ${organizationId}, kind, CASE WHEN kind = 'gather' THEN id END, CASE WHEN kind = 'scrape' THEN id END,
           CASE WHEN kind = 'gather'
                THEN '{"sourceType":"github_release","source":{"owner":"o","repo":"r"},"tagFilter":null,"etag":null}'
                ELSE '{"repoUrl":"https://git.example.com/deploy.git","ref":"main","filePath":"values.yaml","parser":"yq","expression":".image.tag"}' END::jsonb,
           CASE WHEN n % 5 = 0 THEN 'corp-registry' END,
           now() - make_interval(secs => n / 1000.0)
      FROM numbered`.execute(db);
  // Steady state, as autovacuum keeps a live table: statistics that know these tasks (without
  // them the claim is planned for an empty table), and no dead rows of a previous run's tasks.
  await sql`VACUUM ANALYZE tasks, gather_jobs, scrape_jobs`.execute(db);
}

/** Removes every task and the jobs makePendingTasks made them for. */
export async function deletePendingTasks(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('tasks').execute();
  await db.deleteFrom('gather_jobs').execute();
  await db.deleteFrom('scrape_jobs').execute();
}

/** An agent registered through the real heartbeat route. */
export async function registerAgent(apiUrl: string, key: string, name: string, credentials: string[]): Promise<string> {
  const response = await fetch(`${apiUrl}/api/v1/agent/heartbeat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, version: 'bench', hostname: 'bench', capabilities: ['gather', 'scrape', 'helm_sync'], credentials, maxConcurrentTasks: 50 }),
  });
  if (!response.ok) throw new Error(`heartbeat failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { agentId: string }).agentId;
}

/**
 * `count` resolved alerts of one config (a disabled gather job, a manual scrape job, a
 * minors_behind rule), each with one `created` event: events for the notifier to deliver.
 */
export async function makeAlertEvents(db: Kysely<Database>, organizationId: string, count: number): Promise<{ id: string; alert_id: string }[]> {
  const { rows } = await sql<{ id: string; alert_id: string }>`
    WITH g AS (
      INSERT INTO gather_jobs (organization_id, name, source_type, source, schedule, enabled)
      VALUES (${organizationId}, 'upstream', 'github_release', '{"owner":"o","repo":"r"}', '0 0 1 1 *', false) RETURNING id
    ), s AS (
      INSERT INTO scrape_jobs (organization_id, name, parser) VALUES (${organizationId}, 'deployed', 'manual') RETURNING id
    ), r AS (
      INSERT INTO rules (organization_id, name, type, moderate, high, critical) VALUES (${organizationId}, 'minors', 'minors_behind', 2, 4, 6) RETURNING id
    ), c AS (
      INSERT INTO alert_configs (organization_id, name, gather_job_id, scrape_job_id, rule_id)
      SELECT ${organizationId}, 'widget lag', g.id, s.id, r.id FROM g, s, r RETURNING id, name
    ), a AS (
      INSERT INTO alerts (organization_id, alert_config_id, alert_config_name, status, severity, rule_type, deployed_version, latest_version, behind_by, resolved_at)
      SELECT ${organizationId}, c.id, c.name, 'resolved', 'moderate', 'minors_behind', '1.' || i || '.0', '1.20.0', 3, now()
        FROM c, generate_series(1, ${count}) AS i
      RETURNING id, deployed_version
    )
    INSERT INTO alert_events (organization_id, alert_id, type, severity, deployed_version, latest_version, behind_by)
    SELECT ${organizationId}, a.id, 'created', 'moderate', a.deployed_version, '1.20.0', 3 FROM a
    RETURNING id, alert_id`.execute(db);
  return rows;
}
