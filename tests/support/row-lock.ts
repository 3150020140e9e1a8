import { createDatabase, type Database } from '@planekeeper/db';
import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Freezes a service in the middle of its work, deterministically: the test takes row locks in a
 * transaction of its own (as a long-running statement of an operator would), the service's
 * transaction reaches those rows and waits, and the test kills the service right there.
 */
export interface HeldLock {
  /** Rows the lock statement returned. */
  rows: number;
  /** Backend pid of the locking session. */
  pid: number;
  release(): Promise<void>;
}

/** Runs `statement` (a SELECT ... FOR UPDATE) in a transaction that stays open until `release`. */
export async function holdRowLocks(url: string, statement: RawBuilder<unknown>): Promise<HeldLock> {
  const handle = createDatabase(url, { max: 1, applicationName: 'planekeeper-test-lock' });
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  let took!: (value: { rows: number; pid: number }) => void;
  let failed!: (error: unknown) => void;
  const taken = new Promise<{ rows: number; pid: number }>((resolve, reject) => {
    took = resolve;
    failed = reject;
  });
  const session = handle.db.connection().execute(async (connection) => {
    await sql`BEGIN`.execute(connection);
    try {
      const { rows } = await statement.execute(connection);
      const { rows: me } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(connection);
      took({ rows: rows.length, pid: me[0]!.pid });
      await gate;
    } finally {
      await sql`ROLLBACK`.execute(connection);
    }
  });
  session.catch((error: unknown) => failed(error));
  const { rows, pid } = await taken;
  let released: Promise<void> | undefined;
  return {
    rows,
    pid,
    release: () => {
      released ??= (async () => {
        letGo();
        await session.catch(() => undefined);
        await handle.close();
      })();
      return released;
    },
  };
}

/** Sessions of `applicationName` waiting right now for the lock `held` holds (not for each other). */
export async function sessionsBlockedBy(db: Kysely<Database>, held: HeldLock, applicationName: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = ${applicationName}
       AND ${held.pid}::int = ANY(pg_blocking_pids(pid))`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
