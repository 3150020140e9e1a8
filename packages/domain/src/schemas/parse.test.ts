import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  conflict,
  ERROR_CODES,
  forbidden,
  internalError,
  isPlanekeeperError,
  notFound,
  noSuchRoute,
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
    [validationFailed([{ path: 'name', message: 'x' }]), 'validation_failed'],
    [unauthorized(), 'unauthorized'],
    [forbidden(), 'forbidden'],
    [notFound('gather job', 'abc'), 'not_found'],
    [noSuchRoute('GET', '/api/v1/nothing'), 'not_found'],
    [conflict('lease is no longer valid'), 'conflict'],
    [payloadTooLarge(1024), 'payload_too_large'],
    [rateLimited(3), 'rate_limited'],
    [internalError(), 'internal'],
  ] as const)('%s has code %s', (error, code) => {
    expect(error).toBeInstanceOf(Error);
    expect(isPlanekeeperError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(ERROR_CODES).toContain(code);
  });

  it('messages carry context', () => {
    expect(notFound('gather job', 'abc').message).toBe('gather job abc not found');
    expect(notFound('organization').message).toBe('organization not found');
    expect(notFound('agent', 'abc', 'send a heartbeat first').message).toBe('agent abc not found: send a heartbeat first');
    expect(noSuchRoute('GET', '/api/v1/nothing').message).toBe('no route GET /api/v1/nothing');
    expect(payloadTooLarge(1024).message).toMatch(/1024 bytes/);
    expect(rateLimited(3).message).toBe('rate limit exceeded; retry in 3 s');
  });

  it('names the first fields at fault unless given a message', () => {
    const details = [{ path: 'name', message: 'must not be empty' }, { path: 'schedule', message: 'is required' }];
    expect(validationFailed(details).message).toBe('invalid request: name: must not be empty; schedule: is required');
    expect(validationFailed(details, 'Invalid rule').message).toBe('Invalid rule');
    expect(validationFailed(details).details).toEqual(details);
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
    expect(conflict('x').name).toBe('PlanekeeperError');
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
