import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, executePrepared, isoTimestamp, parseTimestamptz, PREPARED_STATEMENT_MARK } from './connection.ts';
import { createTestDatabase, type TestDatabase } from './testing/index.ts';

const pgParser = pg.types.getTypeParser(1184, 'text');
const asMs = (value: unknown) => (value instanceof Date ? value.getTime() : value);

describe('parseTimestamptz', () => {
  it.each([
    '2026-11-22 07:22:53+00',
    '2026-11-22 07:22:53.5+05:30',
    '2026-11-22 07:22:53.123456-03',
    '2026-11-22 07:22:53.999999+00',
    '0001-01-01 00:00:00+00',
    '1880-01-01 00:00:00+00:53:28',
    '2026-11-22 07:22:53+00 BC',
    'infinity',
    '-infinity',
  ])('reads %s as pg does', (text) => {
    expect(asMs(parseTimestamptz(text))).toEqual(asMs(pgParser(text)));
  });
});

describe('isoTimestamp', () => {
  it.each([
    '2026-11-22 07:22:53+00',
    '2026-11-22 07:22:53.5+00',
    '2026-11-22 07:22:53.12+00',
    '2026-11-22 07:22:53.123456+00',
    '2026-11-22 07:22:53.999999+00',
    '2026-11-22 07:22:53.123456-03',
    '2026-11-22 07:22:53.5+05:30',
    '0001-01-01 00:00:00+00',
    '1880-01-01 00:00:00+00:53:28',
  ])('prints %s as a Date of it prints itself', (text) => {
    expect(isoTimestamp(text)).toBe(parseTimestamptz(text).toISOString());
  });
});

describe('the pool', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.destroy();
  });

  it('reads timestamptz columns as Postgres holds them (to the millisecond), in any session time zone', async () => {
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
      const { rows } = await sql<{ at: Date; text: string }>`
        SELECT t AS at, to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS text
          FROM (SELECT set_config('TimeZone', ${zone}, false)) AS z,
               (VALUES ('2026-11-22 07:22:53.123456+00'::timestamptz), ('1999-12-31 23:59:59+00'::timestamptz)) AS v(t)`.execute(test.db);
      for (const row of rows) expect(row.at.toISOString()).toBe(row.text);
    }
  });

  it('runs statements marked prepared as named statements of the connection, with their own parameters each time', async () => {
    await test.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 8; i++) {
        const { rows } = await sql<{ n: number }>`/* prepared */ SELECT ${i}::int + 1 AS n`.execute(trx);
        expect(rows).toEqual([{ n: i + 1 }]);
        const built = await executePrepared(trx, trx.selectFrom('organizations').select('name').where('name', '=', `org ${i}`));
        expect(built).toEqual([]);
      }
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(trx);
      expect(rows.filter((row) => row.statement.startsWith(PREPARED_STATEMENT_MARK))).toHaveLength(2);
      const { rows: plain } = await sql<{ n: number }>`SELECT 1 AS n`.execute(trx);
      expect(plain).toEqual([{ n: 1 }]);
      expect((await sql<{ count: string }>`SELECT count(*) FROM pg_prepared_statements`.execute(trx)).rows[0]!.count).toBe('2');
    });
  });

  it('survives Postgres ending a connection checked out between two statements (as in a transaction): its next statement fails, the process and the pool go on', async () => {
    const handle = createDatabase(test.url, { max: 1 });
    try {
      const client = await handle.pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Checked out, no statement running: as in a transaction between two statements.
      const ended = new Promise((resolve) => client.once('end', resolve));
      await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(test.db);
      await ended;
      await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable/);
      client.release(true);
      // The pool opens a new connection for the next statement.
      expect((await sql<{ n: number }>`SELECT 1 AS n`.execute(handle.db)).rows).toEqual([{ n: 1 }]);
    } finally {
      await handle.close();
    }
  });
});
