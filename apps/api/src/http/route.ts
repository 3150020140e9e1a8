import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiDeps } from '../deps.ts';

/**
 * Who may call a route. `read`: any key of the organization but agent keys; `write`: admin and
 * member; `admin`: admin only; `bootstrap`: the installation's bootstrap key; `agent`: agent keys
 * only (the agent API); `public`: no key.
 */
export type Access = 'public' | 'read' | 'write' | 'admin' | 'bootstrap' | 'agent';

export type ApiKeyRole = 'admin' | 'member' | 'viewer' | 'agent';

/** The caller, once its key has been checked. */
export interface AuthContext {
  organizationId: string;
  keyId: string;
  keyName: string;
  role: ApiKeyRole;
  bootstrap: boolean;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Absent only on public routes. */
  auth: AuthContext;
  deps: ApiDeps;
  req: Request;
  res: Response;
}

/** A response with a status other than the route's default (or with no body). */
export interface Reply {
  readonly kind: 'reply';
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers with `status` (and `body`, when given) instead of the route's default. */
export function reply(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return { kind: 'reply', status, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) };
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteDefinition<P extends Schema | undefined = Schema | undefined, Q extends Schema | undefined = Schema | undefined, B extends Schema | undefined = Schema | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, absolute: `/api/v1/rules/:id`. */
  path: string;
  summary: string;
  /** OpenAPI tag (the resource). */
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Schema of the default response body (for the OpenAPI document). */
  response?: Schema;
  /**
   * 4xx answers beyond those the rest of the declaration implies (see errorResponses in openapi.ts),
   * each with when it is given: a 404 for an id the route takes outside its path.
   */
  errors?: Partial<Record<404 | 409, string>>;
  /** Default status: 200, or 201 for creates, 202 for accepted reports, 204 for no body. */
  status?: number;
  /** Returns the body of the default status, or a `reply(...)`. */
  handler: (ctx: RouteContext<Out<P>, Out<Q>, Out<B>>) => Promise<unknown>;
}

/** Declares a route; the table of routes drives express, the OpenAPI document and the tenant tests. */
export function defineRoute<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  definition: RouteDefinition<P, Q, B>,
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
