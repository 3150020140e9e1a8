/**
 * How long each part of a graceful stop may take, in one place. Kubernetes gives each service's
 * pod 45 s (terminationGracePeriodSeconds in infra/base) before it kills it.
 */
export const STOP_TIMEOUTS = Object.freeze({
  /**
   * Jobs running when a service stops get this long to finish; then pg-boss fails them, so they
   * are retried (by another replica, or this one's successor) at once rather than after expiry.
   */
  jobsMs: 20_000,
  /** The whole stop: runService exits with code 1 when it overruns this. */
  processMs: 30_000,
});
