import type { Logger } from '@planekeeper/runtime';

/** A loop started by {@link startPeriodic}. */
export interface Periodic {
  /** Stops the loop and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `run` now and then every `intervalSeconds` after the previous run ends, so runs never
 * overlap however long one takes. A failed run is logged and the loop goes on (a database
 * restart must not stop the scheduler for good).
 */
export function startPeriodic(name: string, intervalSeconds: number, run: () => Promise<void>, logger: Logger): Periodic {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    current = run()
      .catch((error: unknown) => logger.error({ err: error, loop: name }, `${name} failed; trying again in ${intervalSeconds} s`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalSeconds * 1000);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
