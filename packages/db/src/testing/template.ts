import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Environment variables through which jest's global setup hands the test cluster to test files. */
export const TEST_ENV = {
  adminUrl: 'PK_TEST_ADMIN_URL',
  template: 'PK_TEST_TEMPLATE_DB',
  runId: 'PK_TEST_RUN_ID',
} as const;

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A short random id safe inside a Postgres identifier. */
export function randomId(): string {
  return randomBytes(6).toString('hex');
}

/** Runs `statement` on the cluster's maintenance database (CREATE/DROP DATABASE cannot run in a pool transaction). */
export async function onAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Quotes an identifier we made ourselves (letters, digits, underscores). */
export function ident(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}
