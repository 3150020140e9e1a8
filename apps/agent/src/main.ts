import { createLogger, loadConfigOrExit, runService } from '@planekeeper/runtime';
import { AGENT_VERSION, createAgent } from './app.ts';
import { loadAgentConfig, withEnrolledKey } from './config.ts';
import { loadCredentials } from './credentials.ts';
import { enrollWithToken, EnrollmentRefused } from './enrollment/enroll.ts';
import { DEFAULT_TIMINGS } from './loop.ts';

let config = loadConfigOrExit(() => loadAgentConfig());
const credentials = loadConfigOrExit(() => loadCredentials(config.credentialsFile));
const logger = createLogger({ service: 'agent', level: config.logLevel });

if (config.auth.kind === 'enroll') {
  // A stop asked for while the server is still out of reach ends the wait, as it would the loop.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  try {
    const stored = await enrollWithToken(config, config.auth.token, logger, { userAgent: `planekeeper-agent/${AGENT_VERSION}`, version: AGENT_VERSION, signal: stop.signal });
    const enrolled = config;
    config = loadConfigOrExit(() => withEnrolledKey(enrolled, stored));
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  } catch (error) {
    if (stop.signal.aborted) {
      logger.info('stopped before enrolling');
      process.exit(0);
    }
    if (!(error instanceof EnrollmentRefused)) throw error;
    // One line, as a configuration error is: the agent cannot run until someone gives it a token.
    process.stderr.write(`agent: ${error.message}\n`);
    process.exit(1);
  }
}

await runService({
  name: 'agent',
  logger,
  service: createAgent(config, logger, { credentials }),
  // Running tasks get the drain timeout, then a few seconds to report; the watchdog allows both.
  shutdownTimeoutMs: DEFAULT_TIMINGS.drainTimeoutMs + 15_000,
});
