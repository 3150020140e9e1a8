/**
 * Why a task failed, as reported to the server. `retryable` is true when running the task again
 * may succeed (network trouble, rate limits, a server error upstream) and false when the job's
 * settings must change first (no such repository, a bad expression, a missing credential).
 */
export class TaskError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TaskError';
    this.retryable = options.retryable;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET',
]);

/** The errno-style code of an error or of its cause, if any. */
export function errorCode(error: unknown): string | undefined {
  // Duck-typed: errors from undici may come from another realm (jest's vm), failing instanceof.
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) && code !== 'ERR_GOT_REQUEST_ERROR') return code;
  }
  return undefined;
}

/** A network-level failure (no HTTP answer) as a retryable TaskError naming what was reached for. */
export function networkFailure(what: string, error: unknown): TaskError {
  const code = errorCode(error);
  const detail = code !== undefined && NETWORK_CODES.has(code) ? code : error instanceof Error ? error.message : String(error);
  return new TaskError(`could not reach ${what}: ${detail}`, { retryable: true, cause: error });
}

/** The report for any error a task threw: TaskErrors as they are, anything else as retryable. */
export function describeFailure(error: unknown): { message: string; retryable: boolean } {
  // The protocol takes 1..4000 characters.
  const bounded = (message: string) => (message.trim() === '' ? 'the task failed without a message' : message.slice(0, 4000));
  if (error instanceof TaskError) return { message: bounded(error.message), retryable: error.retryable };
  const message = error instanceof Error ? error.message : String(error);
  return { message: bounded(`unexpected error: ${message}`), retryable: true };
}
