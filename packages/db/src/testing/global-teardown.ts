import { TEST_ENV, ident, onAdmin } from './template.ts';

/** Drops the template and whatever test databases this run left behind, then stops the cluster. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env[TEST_ENV.adminUrl];
  const runId = process.env[TEST_ENV.runId];
  if (adminUrl && runId) {
    await onAdmin(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
        [`pk_test_${runId}_%`, `pk_tpl_${runId}`],
      );
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${ident(datname)} WITH (FORCE)`);
    });
  }
  await globalThis.__planekeeperTestCluster?.stop();
}
