import type { Logger } from '@planekeeper/runtime';
import { AgentApiError, createAgentApi } from '../api-client.ts';
import { backoffDelayMs, sleep } from '../backoff.ts';
import type { AgentConfig } from '../config.ts';
import { writeStoredKey, type StoredKey } from './state.ts';

/** The server refused the token: the agent cannot run, and says why in one line. */
export class EnrollmentRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnrollmentRefused';
  }
}

/**
 * Trades AGENT_ENROLLMENT_TOKEN for a key of the agent's own and stores it in the state directory
 * before using it, so a restart finds it and needs no token. An unreachable or busy server is
 * retried with backoff until `signal`; a refusal (bad, expired, revoked or used-up token, a name
 * in use) throws EnrollmentRefused. Neither the token nor the key is ever logged.
 */
export async function enrollWithToken(
  config: AgentConfig,
  token: string,
  logger: Logger,
  options: { userAgent: string; version: string; signal?: AbortSignal; backoff?: { baseMs: number; maxMs: number } },
): Promise<StoredKey> {
  const api = createAgentApi({ serverUrl: config.serverUrl, apiKey: token, userAgent: options.userAgent });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const enrolled = await api.enroll({ name: config.name, hostname: config.hostname, version: options.version });
        const stored: StoredKey = { key: enrolled.key, agentId: enrolled.agentId, name: enrolled.name, serverUrl: config.serverUrl, enrolledAt: new Date().toISOString(), capabilities: enrolled.capabilities };
        try {
          writeStoredKey(config.stateDir, stored);
        } catch (error) {
          // The token's use is spent: say plainly that the key was lost with it.
          throw new EnrollmentRefused(`enrolled as ${enrolled.name}, but its key could not be stored in AGENT_STATE_DIR ${config.stateDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): make the directory writable and enroll again with a new token`);
        }
        logger.info({ agentId: enrolled.agentId, agentName: enrolled.name, stateDir: config.stateDir }, 'enrolled with the server; the key is kept in the state directory and the token is no longer needed');
        return stored;
      } catch (error) {
        if (!(error instanceof AgentApiError) || error.kind !== 'unavailable') {
          if (error instanceof EnrollmentRefused) throw error;
          const why = error instanceof AgentApiError ? (error.serverMessage ?? error.message) : String(error);
          const status = error instanceof AgentApiError && error.status !== undefined ? ` (${error.status})` : '';
          throw new EnrollmentRefused(`AGENT_ENROLLMENT_TOKEN refused by the server${status}: ${why}`);
        }
        const delay = backoffDelayMs(attempt, options.backoff ?? { baseMs: 1000, maxMs: 30_000 });
        logger.warn({ retryInMs: delay }, `enrollment failed: ${error.message}`);
        await sleep(delay, options.signal);
        if (options.signal?.aborted) throw new EnrollmentRefused('stopped before the agent could enroll');
      }
    }
  } finally {
    api.close();
  }
}
