import { Writable } from 'node:stream';
import type { Service } from '../lifecycle.ts';
import { createLogger, type Logger } from '../logger.ts';

/** A service a test started in its own process, with everything it logged. */
export interface ServiceUnderTest<S extends Service> {
  service: S;
  /** Every line it logged, as written (pino JSON), to look for secrets and to explain failures. */
  logs: string[];
  /** The lines parsed. */
  records(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts a service in this process as its main.ts does (config read from an environment, a JSON
 * logger, createApp, start), from `env` rather than process.env, at debug level unless `env`
 * says otherwise, and keeping every line it logs. What every app's test helper starts its
 * service with.
 */
export async function startInProcess<C extends { LOG_LEVEL: string }, S extends Service>(options: {
  name: string;
  loadConfig: (env: NodeJS.ProcessEnv) => C;
  createApp: (config: C, logger: Logger) => S;
  env: Record<string, string>;
}): Promise<ServiceUnderTest<S>> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = options.loadConfig({ LOG_LEVEL: 'debug', ...options.env });
  const logger = createLogger({ service: options.name, level: config.LOG_LEVEL, destination });
  const service = options.createApp(config, logger);
  await service.start();
  return {
    service,
    logs,
    records: () => logs.map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: () => service.stop(),
  };
}
