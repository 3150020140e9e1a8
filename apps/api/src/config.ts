import { statSync } from 'node:fs';
import { env, parseEnv } from '@planekeeper/runtime';
import { z } from 'zod';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const schema = z.object({
  /** HTTP port of the API (and its /healthz, /readyz; /metrics is on API_OPS_PORT only). */
  PORT: env.port(8080),
  /**
   * Port of /metrics (and /healthz, /readyz again) for Prometheus, kept off the public port:
   * metrics hold installation-wide counts. Expose it only inside the cluster.
   */
  API_OPS_PORT: env.port(9090),
  /** Postgres; unset = the embedded Postgres under .data/. */
  DATABASE_URL: env.databaseUrl(),
  /** Admin key of the default organization, created when no organization exists yet. */
  PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: z
    .string()
    .regex(/^pk_[A-Za-z0-9_-]{16,200}$/, 'expected pk_ followed by at least 16 letters, digits, _ or -')
    .optional(),
  LOG_LEVEL: env.logLevel(),
  /** Requests per key per minute; 0 turns the limit off. */
  API_RATE_LIMIT_PER_MINUTE: env.int(6000, 0),
  /**
   * Agent enrollment attempts per client address per minute (POST /agent/enroll takes no key, so
   * this is what stops a token being guessed); 0 turns the limit off.
   */
  API_ENROLL_RATE_LIMIT_PER_MINUTE: env.int(30, 0, 100_000),
  /**
   * Requests without a valid key (none, unknown, revoked) per client address per minute, counted
   * before any body is read; past it, 429 with Retry-After. 0 turns the limit off.
   */
  API_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE: env.int(300, 0),
  /** Largest request body accepted, in bytes. */
  API_BODY_LIMIT_BYTES: env.int(1_048_576, 1024, 64 * 1_048_576),
  /** Largest task result an agent may report (a registry with 50,000 tags is several MB). */
  API_AGENT_RESULT_LIMIT_BYTES: env.int(32 * 1_048_576, 1024, 256 * 1_048_576),
  /** No heartbeat for this long = offline. */
  AGENT_OFFLINE_AFTER_SECONDS: env.seconds(90, 1),
  /** No heartbeat for this long = stale (a heartbeat missed); default one poll interval and a half. */
  AGENT_STALE_AFTER_SECONDS: env.seconds(45, 1),
  /** Poll interval answered to agents on heartbeat. */
  AGENT_POLL_INTERVAL_SECONDS: env.int(30, 1, 3600),
  /** How long a claim holds a task before the agent must renew it. */
  AGENT_LEASE_SECONDS: env.int(300, 5, 86_400),
  /** Longest long poll an agent may ask for. */
  AGENT_MAX_WAIT_SECONDS: env.int(60, 0, 300),
  /** Base URL people reach the API at, used in links (defaults to http://localhost:PORT). */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The built web UI served at /ui/; unset = apps/web/dist of this checkout (the image sets it). */
  UI_DIR: z.string().min(1).max(4096).refine(isDirectory, 'must name a directory holding the built web UI').optional(),
  /** Skip running migrations at start (when a migrations Job owns them). */
  API_SKIP_MIGRATIONS: env.bool(false),
  /**
   * Longest an API key checked by this process is trusted without asking Postgres again; a revoked
   * key is evicted at once by notification whatever this says. 0 asks on every request.
   */
  API_KEY_CACHE_SECONDS: env.seconds(30, 0),
});

export type ApiConfig = z.infer<typeof schema>;

/** Reads the api's configuration from the environment (the only reader of process.env here). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv('api', schema, source);
}
