import type { z } from 'zod';
import { validationFailed, type ErrorDetail } from '../errors.ts';

// Per-parse messages: zod's default for a missing field ("expected string, received undefined")
// reads badly in an API answer.
const requestErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type' || issue.input !== undefined) return undefined;
  const field = [...(issue.path ?? [])].reverse().find((segment) => typeof segment === 'string');
  return field === undefined ? 'is required' : `${field} is required`;
};

/** Converts zod issues to the API's error details, one per field (unknown keys one per key). */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: path === '' ? key : `${path}.${key}`, message: 'is not a known field' }));
    }
    return [{ path, message: issue.message }];
  });
}

/** The problems `schema` finds in `data`, as error details; [] when it parses. */
export function schemaProblems(schema: z.ZodType, data: unknown): ErrorDetail[] {
  const result = schema.safeParse(data, { error: requestErrorMap });
  return result.success ? [] : issuesToDetails(result.error.issues);
}

/**
 * Parses `data` with `schema` or throws a `validation_failed` PlanekeeperError whose details
 * name each bad field. `what` prefixes the message, e.g. 'Invalid gather job'.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, data: unknown, what = 'Invalid request'): z.output<S> {
  const result = schema.safeParse(data, { error: requestErrorMap });
  if (result.success) return result.data;
  return throwValidation(issuesToDetails(result.error.issues), what);
}

// The first problem goes into the message so that a log line or a CLI user sees it at once.
function throwValidation(details: ErrorDetail[], what: string): never {
  const first = details[0];
  if (first === undefined) throw validationFailed(details, what);
  const text = first.path === '' || first.message.startsWith(first.path) ? first.message : `${first.path}: ${first.message}`;
  throw validationFailed(details, `${what}: ${text}`);
}

/** A cross-field problem found by hand; `path` is the field's path segments. */
export interface FieldIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** Throws `validation_failed` when `issues` is not empty (services use it after merging an update). */
export function throwIfIssues(issues: readonly FieldIssue[], what = 'Invalid request'): void {
  if (issues.length === 0) return;
  throwValidation(
    issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    what,
  );
}

/** Adds hand-found issues to a zod refinement context. */
export function addIssues(ctx: z.RefinementCtx, issues: readonly FieldIssue[], prefix: readonly PropertyKey[] = []): void {
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: [...prefix, ...issue.path], message: issue.message });
}
