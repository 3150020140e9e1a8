import { describe, expect, it } from '@jest/globals';
import {
  conflict,
  ERROR_CODES,
  forbidden,
  internalError,
  notFound,
  noSuchRoute,
  payloadTooLarge,
  rateLimited,
  unauthorized,
  validationFailed,
} from '@planekeeper/domain';
import { z } from 'zod';
import { ERROR_HTTP_STATUS, toKnownError } from './errors.ts';

describe('ERROR_HTTP_STATUS', () => {
  it.each([
    [validationFailed([{ path: 'name', message: 'x' }]), 400],
    [unauthorized(), 401],
    [forbidden(), 403],
    [notFound('gather job', 'abc'), 404],
    [noSuchRoute('GET', '/api/v1/nothing'), 404],
    [conflict('lease is no longer valid'), 409],
    [payloadTooLarge(), 413],
    [rateLimited(3), 429],
    [internalError(), 500],
  ] as const)('answers %s with %i', (error, status) => {
    expect(ERROR_HTTP_STATUS[error.code]).toBe(status);
  });

  it('has a status for every code', () => {
    expect(Object.keys(ERROR_HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });
});

describe('toKnownError', () => {
  it.each([
    ['a unique violation', { code: '23505', constraint: 'rules_org_name' }, 'conflict', 'already exists (rules_org_name)'],
    ['a foreign key violation', { code: '23503', constraint: 'alert_configs_rule_id_fkey' }, 'conflict', 'still in use by other resources (alert_configs_rule_id_fkey)'],
    ['a check violation', { code: '23514' }, 'validation_failed', 'violates a check constraint'],
    ['a NUL character', { code: '22P05' }, 'validation_failed', 'a value contains a NUL character (\\u0000), which cannot be stored'],
    ['a time zone out of range (any data exception, class 22)', { code: '22009' }, 'validation_failed', 'a value is out of range or has the wrong format'],
    ['a numeric value out of range', { code: '22003' }, 'validation_failed', 'a value is out of range or has the wrong format'],
    ['a body too large', { type: 'entity.too.large', status: 413 }, 'payload_too_large', 'request body is too large'],
    ['a body that is not JSON', { type: 'entity.parse.failed', status: 400 }, 'validation_failed', 'request body is not valid JSON'],
  ])('reads %s as %s', (_what, error, code, message) => {
    expect(toKnownError(error)).toMatchObject({ code, message, details: [] });
  });

  it('names the fields of a zod error', () => {
    const result = z.object({ name: z.string() }).safeParse({ name: 1 });
    const known = toKnownError(result.error);
    expect(known?.code).toBe('validation_failed');
    expect(known?.details.map((d) => d.path)).toEqual(['name']);
    expect(known?.message).toMatch(/^invalid request: name: /);
  });

  it('leaves what it does not know to the 500 answer', () => {
    expect(toKnownError(new Error('boom'))).toBeNull();
    expect(toKnownError({ code: '57P01' })).toBeNull();
  });
});
