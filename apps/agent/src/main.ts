import { createLogger, loadConfigOrExit, runService } from '@planekeeper/runtime';
import { createAgent } from './app.ts';
import { loadAgentConfig } from './config.ts';
import { loadCredentials } from './credentials.ts';
import { DEFAULT_TIMINGS } from './loop.ts';

const config = loadConfigOrExit(() => loadAgentConfig());
const credentials = loadConfigOrExit(() => loadCredentials(config.credentialsFile));
const logger = createLogger({ service: 'agent', level: config.logLevel });

await runService({
  name: 'agent',
  logger,
  service: createAgent(config, logger, { credentials }),
  // Running tasks get the drain timeout, then a few seconds to report; the watchdog allows both.
  shutdownTimeoutMs: DEFAULT_TIMINGS.drainTimeoutMs + 15_000,
});
