import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import pg from 'pg';
import { executePrepared, isoTimestamp, parseTimestamptz, PREPARED_STATEMENT_MARK } from './connection.ts';
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
});
