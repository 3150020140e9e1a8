import type { Logger } from 'pino';
import { ConfigError } from './config.ts';
import { STOP_TIMEOUTS } from './service/stop-timeouts.ts';

/** A service that can be started and stopped: `createApp(config, logger)` returns one (see defineService). */
export interface Service {
  start(): Promise<void>;
  /** Stop taking work, finish what is running, release resources (in reverse order of acquisition). */
  stop(): Promise<void>;
}

/**
 * Runs a service as the process: starts it, and on the first SIGTERM/SIGINT stops it gracefully;
 * a second signal, or a stop that overruns `shutdownTimeoutMs` (STOP_TIMEOUTS.processMs unless
 * given), exits at once with code 1.
 * A start-up failure exits with code 1 and a message saying why.
 */
export async function runService(options: {
  name: string;
  logger: Logger;
  service: Service;
  shutdownTimeoutMs?: number;
}): Promise<void> {
  const { logger, service, name } = options;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, `${name} stopping`);
    const watchdog = setTimeout(() => {
      logger.error('graceful stop overran its deadline: exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs ?? STOP_TIMEOUTS.processMs);
    watchdog.unref();
    service.stop().then(
      () => {
        logger.info(`${name} stopped`);
        // The logger writes asynchronously: exit once its last line is out.
        logger.flush(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  try {
    await service.start();
  } catch (error) {
    logger.fatal({ err: error }, `${name} failed to start`);
    logger.flush(() => process.exit(1));
  }
}

/**
 * Reads config with `load`; on a ConfigError prints the message (which names each bad variable)
 * to stderr and exits 1 before anything starts.
 */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
