import { ERROR_HTTP_STATUS, issuesToDetails, PlanekeeperError, toErrorEnvelope, type ErrorDetail } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';

/** Where a field at fault sits in the request. */
export type RequestPart = 'body' | 'query' | 'params';


/** A 400 naming the fields at fault in its message as well as in its details. */
export function invalidRequest(details: ErrorDetail[]): PlanekeeperError {
  const summary = details.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('; ');
  return new PlanekeeperError('validation_failed', `invalid request: ${summary}`, { details });
}

/** Postgres errors a client can cause, mapped to what they mean for the client. */
function fromPostgres(error: { code?: unknown; constraint?: string }): PlanekeeperError | null {
  switch (error.code) {
    case '23505':
      return new PlanekeeperError('conflict', `already exists (${error.constraint ?? 'unique constraint'})`);
    case '23503':
      return new PlanekeeperError('conflict', `still in use by other resources (${error.constraint ?? 'foreign key'})`);
    case '23514':
      return new PlanekeeperError('validation_failed', `violates ${error.constraint ?? 'a check constraint'}`);
    case '22P02':
    case '22007':
    case '22008':
      return new PlanekeeperError('validation_failed', 'a value has the wrong format');
    case '22001':
      return new PlanekeeperError('validation_failed', 'a value is too long');
    case '54001':
      return new PlanekeeperError('validation_failed', 'the request is too complex');
    // Postgres text and jsonb cannot hold U+0000, which JSON strings can.
    case '22021':
    case '22P05':
      return new PlanekeeperError('validation_failed', 'a value contains a NUL character (\\u0000), which cannot be stored');
    default:
      return null;
  }
}

/**
 * Failures of express's own layers carry a 4xx status: body-parser's (bad JSON, too large, bad
 * charset, a body that does not decompress) and the router's (a path that is not valid percent-encoding).
 */
function fromBodyParser(error: { type?: unknown; status?: unknown; message?: string; code?: unknown }): PlanekeeperError | null {
  if (error.type === 'entity.too.large') return new PlanekeeperError('payload_too_large', 'request body is too large');
  if (error.type === 'entity.parse.failed') return new PlanekeeperError('validation_failed', 'request body is not valid JSON');
  if (typeof error.status !== 'number' || error.status < 400 || error.status >= 500) return null;
  if (error instanceof URIError) return new PlanekeeperError('validation_failed', `the path is not valid percent-encoding (${error.message})`);
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return new PlanekeeperError('validation_failed', `request body does not match its Content-Encoding (${error.message ?? error.code})`);
  }
  return new PlanekeeperError('validation_failed', error.message ?? 'bad request body');
}

/** Turns any error into the JSON error envelope; unexpected ones are logged and answered 500. */
export function toKnownError(error: unknown): PlanekeeperError | null {
  if (error instanceof PlanekeeperError) return error;
  if (error instanceof z.ZodError) return invalidRequest(issuesToDetails(error.issues));
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
      res.status(500).json({ error: { code: 'internal', message: 'internal error', details: [] } });
      return;
    }
    if (known.code === 'internal') logger.error({ err: known, path: req.path }, 'internal error');
    res.status(ERROR_HTTP_STATUS[known.code]).json(toErrorEnvelope(known));
  };
}
