import type { OrganizationId } from '@planekeeper/domain';
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
  organizationId: OrganizationId;
  keyId: string;
  keyName: string;
  role: ApiKeyRole;
  bootstrap: boolean;
}

/** What every handler gets: the request's parsed parts, the services' deps, express's objects. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  deps: ApiDeps;
  req: Request;
  res: Response;
}

/**
 * The caller, by the route's access: a public route runs without a key, so it has no `auth`; every
 * other route runs only once its key is checked and allowed, so its `auth` is always there.
 */
export type RouteAuth<A extends Access> = A extends 'public' ? { auth?: undefined } : { auth: AuthContext };

/** What the handler of a route of access `A` gets. */
export type RouteContext<P, Q, B, A extends Access> = RouteInput<P, Q, B> & RouteAuth<A>;

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

/** A route as declared: its access decides whether its handler sees the caller's `auth`. */
export interface RouteSpec<A extends Access, P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, absolute: `/api/v1/rules/:id`. */
  path: string;
  summary: string;
  /** OpenAPI tag (the resource). */
  tag: string;
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Schema of the default response body (for the OpenAPI document). */
  response?: Schema;
  /**
   * The largest JSON body this route takes, in bytes, where it must differ from
   * API_BODY_LIMIT_BYTES (server.ts); `agent_results`: API_AGENT_RESULT_LIMIT_BYTES, for the route
   * agents report task results on. Every body, of every route, is read only once the caller's key
   * has been checked, its role allowed and its rate limit taken: nobody unknown makes the api read it.
   */
  bodyLimit?: number | 'agent_results';
  /**
   * 4xx answers beyond those the rest of the declaration implies (see errorResponses in openapi.ts),
   * each with when it is given: a 404 for an id the route takes outside its path.
   */
  errors?: Partial<Record<401 | 403 | 404 | 409 | 429, string>>;
  /** Default status: 200, or 201 for creates, 202 for accepted reports, 204 for no body. */
  status?: number;
  /** Returns the body of the default status, or a `reply(...)`. */
  handler: (ctx: RouteContext<Out<P>, Out<Q>, Out<B>, A>) => Promise<unknown>;
}

/** A route of the table, whatever its shape: what the server, the OpenAPI document and the tests read. */
export interface RouteDefinition extends Omit<RouteSpec<Access, Schema | undefined, Schema | undefined, Schema | undefined>, 'handler'> {
  /** Called with the parts parsed by the route's own schemas, and the caller's key unless the route is public. */
  handler: (ctx: RouteInput<unknown, unknown, unknown> & { auth: AuthContext | undefined }) => Promise<unknown>;
}

/** The status of a route's answer when the handler does not choose one. */
export function defaultStatus(route: Pick<RouteDefinition, 'method' | 'response' | 'status'>): number {
  return route.status ?? (route.method === 'post' && route.response ? 201 : route.response ? 200 : 204);
}

/** Declares a route; the table of routes drives express, the OpenAPI document and the tenant tests. */
export function defineRoute<A extends Access, P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  spec: RouteSpec<A, P, Q, B>,
): RouteDefinition {
  // The one place a route's types are let go of: the server parses each part with this route's
  // schemas and passes `auth` exactly when the access is not public (server.ts), which is what
  // the handler was typed against.
  return spec as unknown as RouteDefinition;
}
