import {
  conflict,
  internalError,
  issuesToDetails,
  payloadTooLarge,
  PlanekeeperError,
  toErrorEnvelope,
  validationFailed,
  type ErrorCode,
} from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';

/** Where a field at fault sits in the request. */
export type RequestPart = 'body' | 'query' | 'params';

/** The HTTP status of each error code: the one place the api maps one to the other. */
export const ERROR_HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
};

/** Postgres errors a client can cause, mapped to what they mean for the client. */
function fromPostgres(error: { code?: unknown; constraint?: string }): PlanekeeperError | null {
  switch (error.code) {
    case '23505':
      return conflict(`already exists (${error.constraint ?? 'unique constraint'})`);
    case '23503':
      return conflict(`still in use by other resources (${error.constraint ?? 'foreign key'})`);
    case '23514':
      return validationFailed([], `violates ${error.constraint ?? 'a check constraint'}`);
    case '22P02':
    case '22007':
    case '22008':
      return validationFailed([], 'a value has the wrong format');
    case '22001':
      return validationFailed([], 'a value is too long');
    case '54001':
      return validationFailed([], 'the request is too complex');
    // Postgres text and jsonb cannot hold U+0000, which JSON strings can.
    case '22021':
    case '22P05':
      return validationFailed([], 'a value contains a NUL character (\\u0000), which cannot be stored');
    default:
      // Class 22 is "data exception": a value Postgres cannot take (out of range, bad format),
      // which only input can bring.
      if (typeof error.code === 'string' && error.code.startsWith('22')) return validationFailed([], 'a value is out of range or has the wrong format');
      return null;
  }
}

/**
 * Failures of express's own layers carry a 4xx status: body-parser's (bad JSON, too large, bad
 * charset, a body that does not decompress) and the router's (a path that is not valid percent-encoding).
 */
function fromBodyParser(error: { type?: unknown; status?: unknown; message?: string; code?: unknown }): PlanekeeperError | null {
  if (error.type === 'entity.too.large') return payloadTooLarge();
  if (error.type === 'entity.parse.failed') return validationFailed([], 'request body is not valid JSON');
  if (typeof error.status !== 'number' || error.status < 400 || error.status >= 500) return null;
  if (error instanceof URIError) return validationFailed([], `the path is not valid percent-encoding (${error.message})`);
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return validationFailed([], `request body does not match its Content-Encoding (${error.message ?? error.code})`);
  }
  return validationFailed([], error.message ?? 'bad request body');
}

/** Turns any error into the JSON error envelope; unexpected ones are logged and answered 500. */
export function toKnownError(error: unknown): PlanekeeperError | null {
  if (error instanceof PlanekeeperError) return error;
  if (error instanceof z.ZodError) return validationFailed(issuesToDetails(error.issues));
  if (typeof error === 'object' && error !== null) {
    return fromBodyParser(error as never) ?? fromPostgres(error as never);
  }
  return null;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = toKnownError(error);
    if (!known) {
      logger.error({ err: error, method: req.method, path: req.path, requestId: res.locals.requestId }, 'unexpected error');
      res.status(ERROR_HTTP_STATUS.internal).json(toErrorEnvelope(internalError()));
      return;
    }
    if (known.code === 'internal') logger.error({ err: known, path: req.path }, 'internal error');
    res.status(ERROR_HTTP_STATUS[known.code]).json(toErrorEnvelope(known));
  };
}
