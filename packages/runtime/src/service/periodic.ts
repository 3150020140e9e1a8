import type { Logger } from '../logger.ts';
import type { Startable } from './backend.ts';

/**
 * A loop that runs `run` at start and then every `intervalSeconds` after the previous run ends,
 * so runs never overlap however long one takes. A failed run is logged and the loop goes on (a
 * database restart must not stop a scheduler for good). Released, it stops and waits for a run
 * in progress to finish.
 */
export function every(name: string, intervalSeconds: number, run: () => Promise<unknown>): Startable<{ logger: Logger }> {
  return {
    name,
    async start({ logger }) {
      let timer: NodeJS.Timeout | undefined;
      let current: Promise<unknown> = Promise.resolve();
      let stopped = false;
      const tick = () => {
        current = run()
          .catch((error: unknown) => logger.error({ err: error, loop: name }, `${name} failed; trying again in ${intervalSeconds} s`))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, intervalSeconds * 1000);
          });
      };
      tick();
      return async () => {
        stopped = true;
        clearTimeout(timer);
        await current;
      };
    },
  };
}
