/**
 * Errors with a stable code, made only by the factories below (one per code), so one kind of
 * failure reads the same wherever it is raised. The api maps each code to an HTTP status in one
 * place (its http/errors.ts) and renders `{ error: { code, message, details } }` (DESIGN
 * section 9); the other services log the code.
 */

/** Every error code the API answers with. */
export const ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'internal',
] as const;

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with one field; `path` is dotted (`source.owner`, `releases.3.tag`), '' for the whole body. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** Options of {@link PlanekeeperError}. */
export interface PlanekeeperErrorOptions {
  details?: readonly ErrorDetail[];
  cause?: unknown;
}

/**
 * An error the domain and the services raise on purpose: it carries a code and field details.
 * Made by the factories below (`notFound`, `conflict`, ...), never with `new` elsewhere.
 */
export class PlanekeeperError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: PlanekeeperErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlanekeeperError';
    this.code = code;
    this.details = options.details ?? [];
  }
}

/** True when `error` is a {@link PlanekeeperError}. */
export function isPlanekeeperError(error: unknown): error is PlanekeeperError {
  return error instanceof PlanekeeperError;
}

/** The JSON error envelope of DESIGN section 9. */
export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details: ErrorDetail[] };
}

/** Renders an error as the API's error envelope. */
export function toErrorEnvelope(error: PlanekeeperError): ErrorEnvelope {
  return { error: { code: error.code, message: error.message, details: [...error.details] } };
}

/**
 * 400: the body, query, path or a payload did not validate. The message names the first fields at
 * fault unless the caller gives one.
 */
export function validationFailed(details: readonly ErrorDetail[], message?: string): PlanekeeperError {
  const summary = details.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('; ');
  return new PlanekeeperError('validation_failed', message ?? `invalid request: ${summary}`, { details });
}

/** 401: no key, or a key that is unknown or revoked. */
export function unauthorized(message = 'a valid API key is required'): PlanekeeperError {
  return new PlanekeeperError('unauthorized', message);
}

/** 403: the key's role may not do this. */
export function forbidden(message = 'this API key may not do that'): PlanekeeperError {
  return new PlanekeeperError('forbidden', message);
}

/**
 * 404: `what` (e.g. 'gather job') with `id` does not exist in the caller's organization; `hint`
 * says what to do about it.
 */
export function notFound(what: string, id?: string, hint?: string): PlanekeeperError {
  const missing = id === undefined ? `${what} not found` : `${what} ${id} not found`;
  return new PlanekeeperError('not_found', hint === undefined ? missing : `${missing}: ${hint}`);
}

/** 404: the API has no route for this method and path. */
export function noSuchRoute(method: string, path: string): PlanekeeperError {
  return new PlanekeeperError('not_found', `no route ${method} ${path}`);
}

/** 409: the request conflicts with the current state (a stale lease, a name in use, a referenced row). */
export function conflict(message: string, details?: readonly ErrorDetail[]): PlanekeeperError {
  return new PlanekeeperError('conflict', message, details === undefined ? {} : { details });
}

/** 413: the body is larger than `limitBytes`. */
export function payloadTooLarge(limitBytes?: number): PlanekeeperError {
  return new PlanekeeperError(
    'payload_too_large',
    limitBytes === undefined ? 'request body is too large' : `request body is larger than ${limitBytes} bytes`,
  );
}

/** 429: too many requests for this key; the api also sends Retry-After. */
export function rateLimited(retryAfterSeconds?: number): PlanekeeperError {
  return new PlanekeeperError(
    'rate_limited',
    retryAfterSeconds === undefined ? 'rate limit exceeded' : `rate limit exceeded; retry in ${retryAfterSeconds} s`,
  );
}

/** 500: something we did not expect; the message must not leak internals. */
export function internalError(message = 'internal error', cause?: unknown): PlanekeeperError {
  return new PlanekeeperError('internal', message, cause === undefined ? {} : { cause });
}
