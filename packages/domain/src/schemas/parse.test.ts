import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  conflict,
  ERROR_CODES,
  ERROR_HTTP_STATUS,
  forbidden,
  internalError,
  isPlanekeeperError,
  notFound,
  payloadTooLarge,
  PlanekeeperError,
  rateLimited,
  toErrorEnvelope,
  unauthorized,
  validationFailed,
} from '../errors.ts';
import { errorEnvelopeSchema, idParamsSchema, listEnvelopeSchema, listQuerySchema } from './common.ts';
import { gatherJobCreateSchema } from './gather-jobs.ts';
import { issuesToDetails, parseOrThrow, throwIfIssues } from './parse.ts';

const catchError = (fn: () => unknown): PlanekeeperError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PlanekeeperError) return error;
    throw error;
  }
  throw new Error('expected a PlanekeeperError');
};

describe('parseOrThrow', () => {
  it('returns the parsed value', () => {
    expect(parseOrThrow(idParamsSchema, { id: '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b' })).toEqual({ id: '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b' });
  });

  it('throws validation_failed with one detail per field and the first in the message', () => {
    const error = catchError(() => parseOrThrow(gatherJobCreateSchema, { sourceType: 'helm_repo', source: { repoUrl: 'https://c.example', chart: 'x' }, schedule: 'x', bogus: 1 }, 'Invalid gather job'));
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual([
      { path: 'name', message: 'name is required' },
      { path: 'schedule', message: expect.stringMatching(/^schedule must have 5 fields/) },
      { path: 'bogus', message: 'is not a known field' },
    ]);
    expect(error.message).toBe('Invalid gather job: name is required');
  });

  it('reports a missing nested field by its own name', () => {
    const error = catchError(() => parseOrThrow(z.strictObject({ error: z.strictObject({ retryable: z.boolean() }) }), { error: {} }));
    expect(error.details).toEqual([{ path: 'error.retryable', message: 'retryable is required' }]);
  });

  it('a body that is not an object', () => {
    const error = catchError(() => parseOrThrow(idParamsSchema, 'nope'));
    expect(error.details).toEqual([{ path: '', message: expect.stringMatching(/object/) }]);
  });

  it('splits unknown keys into one detail each', () => {
    const result = z.strictObject({}).safeParse({ a: 1, b: 2 });
    expect(result.success).toBe(false);
    if (!result.success) expect(issuesToDetails(result.error.issues).map((d) => d.path)).toEqual(['a', 'b']);
  });

  it('throwIfIssues is silent on no issues and throws otherwise', () => {
    expect(() => throwIfIssues([])).not.toThrow();
    expect(catchError(() => throwIfIssues([{ path: ['source', 'owner'], message: 'is required' }], 'Invalid gather job')).message).toBe(
      'Invalid gather job: source.owner: is required',
    );
  });
});

describe('errors', () => {
  it.each([
    [validationFailed([{ path: 'name', message: 'x' }]), 'validation_failed', 400],
    [unauthorized(), 'unauthorized', 401],
    [forbidden(), 'forbidden', 403],
    [notFound('gather job', 'abc'), 'not_found', 404],
    [conflict('lease is no longer valid'), 'conflict', 409],
    [payloadTooLarge(1024), 'payload_too_large', 413],
    [rateLimited(3), 'rate_limited', 429],
    [internalError(), 'internal', 500],
  ] as const)('%s has code %s and maps to %i', (error, code, status) => {
    expect(error).toBeInstanceOf(Error);
    expect(isPlanekeeperError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(ERROR_HTTP_STATUS[error.code]).toBe(status);
  });

  it('every code has a status', () => {
    expect(Object.keys(ERROR_HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('messages carry context', () => {
    expect(notFound('gather job', 'abc').message).toBe('gather job abc not found');
    expect(notFound('organization').message).toBe('organization not found');
    expect(payloadTooLarge(1024).message).toMatch(/1024 bytes/);
  });

  it('renders the error envelope, which the envelope schema accepts', () => {
    const envelope = toErrorEnvelope(conflict('name in use', [{ path: 'name', message: 'taken' }]));
    expect(envelope).toEqual({ error: { code: 'conflict', message: 'name in use', details: [{ path: 'name', message: 'taken' }] } });
    expect(errorEnvelopeSchema.safeParse(envelope).success).toBe(true);
    expect(toErrorEnvelope(unauthorized()).error.details).toEqual([]);
  });

  it('keeps a cause and is not confused with other errors', () => {
    const cause = new Error('db down');
    expect(internalError('Internal error', cause).cause).toBe(cause);
    expect(isPlanekeeperError(new Error('x'))).toBe(false);
    expect(new PlanekeeperError('conflict', 'x').name).toBe('PlanekeeperError');
  });
});

describe('list envelope and query', () => {
  it('wraps items with a nullable nextCursor', () => {
    const schema = listEnvelopeSchema(z.object({ id: z.string() }));
    expect(schema.safeParse({ items: [{ id: 'a' }], nextCursor: null }).success).toBe(true);
    expect(schema.safeParse({ items: [{ id: 'a' }] }).success).toBe(false);
  });

  it('the plain list query refuses unknown parameters', () => {
    expect(listQuerySchema.safeParse({ limit: '10', cursor: 'abc' }).data).toEqual({ limit: 10, cursor: 'abc' });
    expect(listQuerySchema.safeParse({ page: '2' }).success).toBe(false);
  });
});
