import { createBoss } from '@planekeeper/db';

type PgBoss = ReturnType<typeof createBoss>;

/**
 * How a crashed consumer's job comes back: pg-boss leaves it `active` until it is older than the
 * queue's `expireInSeconds` (120 s for notification.deliver and evaluate, 300 s for
 * task.completed), notices that in a supervise pass (once a minute across the installation) and
 * retries it after the queue's retry delay. Tests cannot wait minutes, so this helper shortens the
 * two settings on the queues (new jobs take them on; the services put the declared values back when
 * they restart, so call `shorten` again after each start) and runs the supervise pass every second
 * as a maintenance replica of the installation. Nothing of the services' own code is changed.
 */
export interface QueueSupervisor {
  shorten(queues: readonly string[], settings: { expireInSeconds: number; retryDelay: number }): Promise<void>;
  /** Jobs of `queue` in each state, optionally only those whose data has `field` = `value`. */
  jobs(queue: string, where?: { field: string; value: string }): Promise<{ state: string; id: string; retryCount: number; data: Record<string, unknown> }[]>;
  stop(): Promise<void>;
}

type PgBossClass = new (options: Record<string, unknown>) => PgBoss;

export async function startQueueSupervisor(url: string): Promise<QueueSupervisor> {
  const quiet = { warn: () => undefined, error: () => undefined };
  // The tests package does not depend on pg-boss itself: take its class from the instance db makes.
  const Boss = createBoss(url, { logger: quiet, applicationName: 'planekeeper-test-probe', supervise: false }).constructor as PgBossClass;
  const boss = new Boss({
    connectionString: url,
    application_name: 'planekeeper-test-supervisor',
    max: 2,
    supervise: true,
    migrate: false,
    schedule: false,
    superviseIntervalSeconds: 1,
    monitorIntervalSeconds: 1,
  });
  boss.on('error', () => undefined);
  await boss.start();
  return {
    async shorten(queues, settings) {
      for (const name of queues) await boss.updateQueue(name, { expireInSeconds: settings.expireInSeconds, retryDelay: settings.retryDelay, retryBackoff: false });
    },
    async jobs(queue, where) {
      const db = boss.getDb();
      const filter = where ? ` AND data->>'${where.field.replace(/'/g, '')}' = $2` : '';
      const { rows } = await db.executeSql(`SELECT id, state, retry_count AS "retryCount", data FROM pgboss.job WHERE name = $1${filter}`, where ? [queue, where.value] : [queue]);
      return rows as { state: string; id: string; retryCount: number; data: Record<string, unknown> }[];
    },
    stop: () => boss.stop({ graceful: false, close: true }),
  };
}
